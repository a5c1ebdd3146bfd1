/** Settle's widget package. The <settle-pay> element arrives with the widget issue; until then it re-exports the typed client. */
export { createSessionClient } from '@settle/client';
