import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { ImportSetupError } from './import/import-csv.js';
import { CliError } from './cli-error.js';
import { backtestCommand, backtestHelp } from './commands/backtest.js';
import { checkConfig, checkConfigHelp } from './commands/check-config.js';
import { hashSecretCommand, hashSecretHelp } from './commands/hash-secret.js';
import { importCommand, importHelp } from './commands/import.js';
import { mosquittoFilesCommand, mosquittoFilesHelp } from './commands/mosquitto-files.js';
import { usersCommand, usersHelp } from './commands/users.js';

const USAGE = `usage: npm run cli -- <command> [options]

${checkConfigHelp}

${hashSecretHelp}

${mosquittoFilesHelp}

${importHelp}

${backtestHelp}

${usersHelp}`;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string' },
  secret: { type: 'string' },
  random: { type: 'boolean' },
  replicas: { type: 'string' },
  out: { type: 'string' },
  site: { type: 'string' },
  device: { type: 'string' },
  quantity: { type: 'string' },
  file: { type: 'string' },
  values: { type: 'string' },
  'timestamp-column': { type: 'string' },
  'value-column': { type: 'string' },
  timezone: { type: 'string' },
  'timestamp-marks': { type: 'string' },
  delimiter: { type: 'string' },
  decimal: { type: 'string' },
  'dry-run': { type: 'boolean' },
  progress: { type: 'boolean' },
  from: { type: 'string' },
  to: { type: 'string' },
  rules: { type: 'string' },
  email: { type: 'string' },
  role: { type: 'string' },
  sites: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  name: { type: 'string' },
} as const;

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new CliError(`${(e as Error).message}\n\n${USAGE}`);
  }
  const { values: v, positionals } = parsed;
  const command = positionals[0];
  if (v.help || command === undefined || command === 'help') {
    out(USAGE);
    return command === undefined && !v.help ? 1 : 0;
  }
  if (positionals.length > (command === 'users' ? 2 : 1)) throw new CliError(`unexpected argument ${JSON.stringify(positionals[1])}`);
  switch (command) {
    case 'users':
      return usersCommand(positionals[1], { email: v.email, role: v.role, sites: v.sites, passwordStdin: v['password-stdin'], name: v.name, config: v.config }, () => text(process.stdin), out);
    case 'check-config':
      return checkConfig(v.config, out);
    case 'hash-secret':
      return hashSecretCommand(v.secret, () => text(process.stdin), out, v.random === true);
    case 'mosquitto-files':
      return mosquittoFilesCommand(v.out, v.config, out, process.env, v.replicas);
    case 'import':
      return importCommand(
        {
          site: v.site,
          device: v.device,
          quantity: v.quantity,
          file: v.file,
          values: v.values,
          timestampColumn: v['timestamp-column'],
          valueColumn: v['value-column'],
          timezone: v.timezone,
          timestampMarks: v['timestamp-marks'],
          delimiter: v.delimiter,
          decimal: v.decimal,
          dryRun: v['dry-run'],
          progress: v.progress,
          config: v.config,
        },
        out,
        err,
      );
    case 'backtest':
      return backtestCommand({ site: v.site, from: v.from, to: v.to, rules: v.rules, config: v.config }, out, err);
    default:
      throw new CliError(`unknown command ${JSON.stringify(command)} (check-config, hash-secret, mosquitto-files, import, backtest, users)`);
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof CliError || e instanceof ImportSetupError) err(`error: ${e.message}`);
    else err(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
