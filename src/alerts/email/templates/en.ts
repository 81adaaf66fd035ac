import type { TemplateSources } from '../templates.js';

/** English, chosen per recipient (`language: en`). */
export const EN: TemplateSources = {
  'alert-opened': {
    subject: '[{{severity}}] {{siteName}}: {{what}} – {{deviceName}}',
    text: `An alert ({{severity}}) is open at site {{siteName}}.
{{#if reopened}}It had resolved and came back.
{{/if}}
Site: {{siteName}}
Device: {{deviceName}}
What: {{what}}
{{#if summary}}Detail: {{summary}}
{{/if}}Since: {{since}} ({{duration}})
{{#if measured}}Measured: {{measured}}
{{/if}}{{#if expected}}Expected or threshold: {{expected}}{{#if deviation}} (deviation {{deviation}}){{/if}}
{{/if}}
Site dashboard: {{dashboardUrl}}

-- 
Automatic message from smart-building-energy, please do not reply.
`,
  },
  'alert-resolved': {
    subject: '[Resolved] {{siteName}}: {{what}} – {{deviceName}}',
    text: `The alert ({{severity}}) at site {{siteName}} has resolved.

Site: {{siteName}}
Device: {{deviceName}}
What: {{what}}
{{#if summary}}Detail: {{summary}}
{{/if}}Began: {{since}}
Resolved: {{resolvedAt}} (lasted {{duration}})
{{#if measured}}Worst measured: {{measured}}
{{/if}}{{#if expected}}Expected or threshold: {{expected}}{{#if deviation}} (deviation {{deviation}}){{/if}}
{{/if}}
Site dashboard: {{dashboardUrl}}

-- 
Automatic message from smart-building-energy, please do not reply.
`,
  },
  'silent-devices': {
    subject: `{{#if resolved}}[Resolved] {{siteName}}: {{count}} devices sending again{{else}}[{{severity}}] {{siteName}}: {{count}} silent devices{{/if}}`,
    text: `{{#if resolved}}{{count}} devices of site {{siteName}} send readings again.{{else}}{{count}} devices of site {{siteName}} no longer send readings.{{/if}}

{{#each devices}}- {{deviceName}}: silent since {{since}} ({{duration}}){{#if measured}}, {{measured}} without a reading{{/if}}
{{/each}}
Site dashboard: {{dashboardUrl}}

-- 
Automatic message from smart-building-energy, please do not reply.
`,
  },
  digest: {
    subject: 'Digest of information alerts, {{day}} ({{count}})',
    text: `Information alerts opened on {{day}} ({{timezone}}):
{{#each sites}}
{{siteName}} ({{dashboardUrl}})
{{#each alerts}}- {{since}} – {{deviceName}}: {{what}}{{#if measured}}, measured {{measured}}{{/if}}{{#if expected}}, expected {{expected}}{{/if}}
{{/each}}{{/each}}
-- 
Automatic message from smart-building-energy, please do not reply.
`,
  },
};
