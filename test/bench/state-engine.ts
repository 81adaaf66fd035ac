// Measures the two candidate state-store engines on this machine (README: "The state store, and
// why SQLite"): per-transaction commit time with fsync, the partial unique index that keeps one
// open alert per key, and a second connection while the first is open. Run: npm run bench:state
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import Database from 'better-sqlite3';

const dir = mkdtempSync(join(tmpdir(), 'sbe-state-engine-'));
const N = 500;
const db = new Database(join(dir, 's.sqlite'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(`create table alerts(id integer primary key, site text, device text, rule text, state text, value real);
create unique index one_open on alerts(site, device, rule) where state <> 'resolved';`);
const ins = db.prepare('insert into alerts(site,device,rule,state,value) values (?,?,?,?,?)');
const upd = db.prepare("update alerts set state='resolved' where id=?");
let t = process.hrtime.bigint();
for (let i = 0; i < N; i++) db.transaction(() => upd.run(ins.run('s', `d${i}`, 'r', 'open', i).lastInsertRowid))();
const sqliteMs = Number(process.hrtime.bigint() - t) / 1e6 / N;
let duplicateOpen = 'accepted (no constraint)';
ins.run('s', 'x', 'r', 'open', 1);
try {
  ins.run('s', 'x', 'r', 'open', 2);
} catch (e) {
  duplicateOpen = `refused (${(e as { code?: string }).code})`;
}
const second = new Database(join(dir, 's.sqlite'));
const secondConnection = `reads ${(second.prepare('select count(*) n from alerts').get() as { n: number }).n} rows`;
second.close();

const instance = await DuckDBInstance.create(join(dir, 's.duckdb'));
const c = await instance.connect();
await c.run('create table alerts(id integer primary key, site text, device text, rule text, state text, value double)');
let partialIndex = 'supported';
try {
  await c.run("create unique index one_open on alerts(site, device, rule) where state <> 'resolved'");
} catch (e) {
  partialIndex = (e as Error).message.slice(0, 80);
}
t = process.hrtime.bigint();
for (let i = 0; i < N; i++) {
  await c.run('begin');
  await c.run(`insert into alerts values (${i}, 's', 'd${i}', 'r', 'open', ${i})`);
  await c.run(`update alerts set state='resolved' where id=${i}`);
  await c.run('commit');
}
const duckMs = Number(process.hrtime.bigint() - t) / 1e6 / N;
c.closeSync();
db.close();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({ transactions: N, sqliteMsPerTransaction: +sqliteMs.toFixed(3), duckdbMsPerTransaction: +duckMs.toFixed(3), sqliteSecondOpenAlertPerKey: duplicateOpen, sqliteSecondConnection: secondConnection, duckdbPartialUniqueIndex: partialIndex })}\n`,
);
