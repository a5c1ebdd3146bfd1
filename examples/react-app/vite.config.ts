import { defineConfig } from 'vite';

/** The merchant backend that mints sessions (examples/server-node). */
const backend = process.env.MERCHANT_BACKEND_URL || 'http://localhost:3000';

export default defineConfig({
  // JSX with React's automatic runtime (no plugin needed to build; @vitejs/plugin-react adds Fast Refresh).
  oxc: { jsx: { runtime: 'automatic' } },
  // One fixed port for `pnpm dev` and `pnpm start` (preview): Settle must list this origin in
  // SETTLE_ALLOWED_ORIGINS, because the widget calls Settle's API from the page.
  server: { port: 5174, strictPort: true, proxy: { '/session': backend } },
  preview: { port: 5174, strictPort: true, proxy: { '/session': backend } },
  build: { target: 'es2022' },
});
