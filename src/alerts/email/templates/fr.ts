import type { TemplateSources } from '../templates.js';

/** French, the default language of the service and of its first users. */
export const FR: TemplateSources = {
  'alert-opened': {
    subject: '[{{severity}}] {{siteName}} : {{what}} – {{deviceName}}',
    text: `Une alerte ({{severity}}) est ouverte sur le site {{siteName}}.
{{#if reopened}}Elle avait été résolue et revient.
{{/if}}
Site : {{siteName}}
Appareil : {{deviceName}}
Constat : {{what}}
{{#if summary}}Détail : {{summary}}
{{/if}}Depuis : {{since}} ({{duration}})
{{#if measured}}Valeur mesurée : {{measured}}
{{/if}}{{#if expected}}Valeur attendue ou seuil : {{expected}}{{#if deviation}} (écart {{deviation}}){{/if}}
{{/if}}
Tableau de bord du site : {{dashboardUrl}}

-- 
Message automatique de smart-building-energy, merci de ne pas y répondre.
`,
  },
  'alert-resolved': {
    subject: '[Résolu] {{siteName}} : {{what}} – {{deviceName}}',
    text: `L'alerte ({{severity}}) du site {{siteName}} est résolue.

Site : {{siteName}}
Appareil : {{deviceName}}
Constat : {{what}}
{{#if summary}}Détail : {{summary}}
{{/if}}Début : {{since}}
Résolue : {{resolvedAt}} (durée {{duration}})
{{#if measured}}Pire valeur mesurée : {{measured}}
{{/if}}{{#if expected}}Valeur attendue ou seuil : {{expected}}{{#if deviation}} (écart {{deviation}}){{/if}}
{{/if}}
Tableau de bord du site : {{dashboardUrl}}

-- 
Message automatique de smart-building-energy, merci de ne pas y répondre.
`,
  },
  'silent-devices': {
    subject: `{{#if resolved}}[Résolu] {{siteName}} : {{count}} appareils de nouveau actifs{{else}}[{{severity}}] {{siteName}} : {{count}} appareils muets{{/if}}`,
    text: `{{#if resolved}}{{count}} appareils du site {{siteName}} envoient de nouveau des mesures.{{else}}{{count}} appareils du site {{siteName}} n'envoient plus de mesures.{{/if}}

{{#each devices}}- {{deviceName}} : muet depuis {{since}} ({{duration}}){{#if measured}}, {{measured}} sans mesure{{/if}}
{{/each}}
Tableau de bord du site : {{dashboardUrl}}

-- 
Message automatique de smart-building-energy, merci de ne pas y répondre.
`,
  },
  digest: {
    subject: 'Synthèse des alertes d’information du {{day}} ({{count}})',
    text: `Alertes d'information ouvertes le {{day}} ({{timezone}}) :
{{#each sites}}
{{siteName}} ({{dashboardUrl}})
{{#each alerts}}- {{since}} – {{deviceName}} : {{what}}{{#if measured}}, mesuré {{measured}}{{/if}}{{#if expected}}, attendu {{expected}}{{/if}}
{{/each}}{{/each}}
-- 
Message automatique de smart-building-energy, merci de ne pas y répondre.
`,
  },
};
