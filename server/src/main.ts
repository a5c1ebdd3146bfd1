import { loadConfig } from './config.js';
import { describeErp } from './erp/select.js';
import { createSettle, listen } from './server.js';

// A wrong setting (SETTLE_ERP=sap, a live key in test mode…) is one line naming it, not a stack trace.
const config = (() => {
  try {
    return loadConfig();
  } catch (error) {
    console.error(`Settle cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
})();
const settle = await createSettle({ config });
const server = await listen(settle, config.port, config.host);
// A key that came from the environment is never printed whole: logs outlive terminals.
const shownKey = settle.secretKeyGenerated
  ? settle.secretKey
  : `${settle.secretKey.slice(0, 12)}… (from SETTLE_SECRET_KEY)`;
const exampleKey = settle.secretKeyGenerated ? settle.secretKey : '$SETTLE_SECRET_KEY';
// The demo page mints sessions without a key, so it exists in test mode only.
const demo =
  config.mode === 'test' ? `\n  Demo:         ${config.publicUrl}/demo   (a merchant's page with <settle-pay>)` : '';
// In the demo, mail goes to an SMTP catcher on loopback that /demo/mail lists (docs/emails.md).
const mail = settle.deps.mail;
const mailLine = !mail
  ? 'off (set SMTP_URL to send confirmation emails)'
  : mail.catcher && config.mode === 'test'
    ? `${config.publicUrl}/demo/mail   (confirmation emails, caught on smtp://127.0.0.1:${mail.catcher.port})`
    : mail.target;
const store = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.dataDir}/pglite`;

console.log(`
  Settle reference server, ${config.mode} mode
  ─────────────────────────────────────────────
  Open:         ${config.publicUrl}/${demo}
  API:          ${config.publicUrl}/v1
  Health:       ${config.publicUrl}/health
  Secret key:   ${shownKey}
  Store:        ${store}
  ERP:          ${settle.deps.erp.name}: ${describeErp(config)}
  Processor:    ${settle.deps.processor.name}
  Mail:         ${mailLine}

  Try a payment end to end (needs curl and jq):
    SETTLE_API_URL=${config.publicUrl} SETTLE_SECRET_KEY=${exampleKey} bash examples/curl/pay.sh
`);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: finishing running jobs and closing…`);
  await server.close();
  await settle.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
