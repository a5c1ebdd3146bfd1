import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/**
 * The hosted pages' shell: the merchant's name over `main`, the demo stylesheet, and no referrer
 * for anything the page links to.
 */
export function hostedPage(page: { merchantName: string; title: string; head?: Html; main: Html }): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${page.title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/demo.css">
${page.head ?? ''}
</head>
<body class="hosted">
<header class="site">
  <span class="brand">${page.merchantName}</span>
  <span class="tag">Secure invoice payment</span>
</header>
${page.main}
</body>
</html>`;
}

/**
 * The hosted pay page behind a session's pay link (`/pay#token=ct_...`). The token travels in the
 * fragment, which browsers never send to a server, so this page is the same for everyone; the
 * external /pay.js reads the fragment and creates the element.
 */
export function payPage(merchantName: string, integrity: string | null): Html {
  return hostedPage({
    merchantName,
    title: `Pay ${merchantName}`,
    head: html`${integrity ? html`<script src="/settle.js" integrity="${integrity}" crossorigin="anonymous"></script>` : ''}
<script src="/pay.js" defer></script>`,
    main: html`<main id="pay" data-merchant="${merchantName}">
  <p class="notice" role="status">${integrity ? 'Loading…' : 'The payment page is not available right now. Please try again in a minute.'}</p>
</main>`,
  });
}
