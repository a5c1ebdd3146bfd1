import { isSettleHttpError } from '@settle/client';
import type { PaymentMethodToken, SandboxTokenRequest } from '@settle/schema';
import { type MountOptions, type PaymentProvider, ProviderError } from './provider.js';
import { adoptSandboxStyles, applyAppearance } from './sandbox.styles.js';
import { achFields } from './sandbox-ach.js';
import { cardFields, type MethodFields } from './sandbox-card.js';
import { h, SandboxForm } from './sandbox-form.js';
import { sandboxLabels } from './sandbox-labels.js';

export interface SandboxProviderOptions {
  /**
   * Exchanges what the fields collected for a token: the session client's
   * `createPaymentMethodToken` (POST /v1/sandbox/tokens), the only request that carries a number.
   */
  tokenize(input: SandboxTokenRequest): Promise<PaymentMethodToken>;
  /** The merchant the payer authorizes in the ACH mandate (the session's `merchant.name`). */
  merchantName: string;
}

/** Server field paths (SandboxTokenRequest) to the field that shows the error. */
const FIELD_OF_PATH: Record<string, string> = { expMonth: 'expiry', expYear: 'expiry' };

let instances = 0;

/**
 * The sandbox processor's payment fields: plain DOM in the container it is given (in the host
 * page's light DOM, as Stripe's Payment Element will be), styled from `appearance` through CSSOM
 * only, so it works under a strict CSP. Card and bank numbers live only in its inputs' values:
 * never in an attribute, a log or a variable that outlives tokenize(), and destroy() clears them.
 */
export function createSandboxProvider(options: SandboxProviderOptions): PaymentProvider {
  let mounted: { root: HTMLElement; form: SandboxForm; fields: MethodFields; undo: () => void } | null = null;
  let pending: Promise<PaymentMethodToken> | null = null;

  function destroy(): void {
    if (!mounted) return;
    mounted.form.clear();
    mounted.undo();
    mounted = null;
  }

  async function exchange(form: SandboxForm, fields: MethodFields): Promise<PaymentMethodToken> {
    const problem = form.validate(true);
    if (problem) {
      form.focus(problem.name);
      throw new ProviderError(problem.message, problem.name);
    }
    try {
      return await options.tokenize(fields.request());
    } catch (error) {
      // A 422 names the field the sandbox rejected (`details[].path`): show it there.
      if (!isSettleHttpError(error) || error.status !== 422) throw error;
      const issue = error.details[0];
      if (!issue) throw new ProviderError(error.message);
      const field = FIELD_OF_PATH[issue.path] ?? issue.path;
      form.setError(field, issue.message);
      throw new ProviderError(issue.message, field);
    }
  }

  return {
    name: 'sandbox',

    async mount(container: HTMLElement, { method, locale, appearance, onChange }: MountOptions): Promise<void> {
      destroy();
      const { lang, t } = sandboxLabels(locale);
      const idPrefix = `settle-sbx-${++instances}`;
      const controller = new AbortController();
      const root = h('div', { className: 'settle-sbx', lang });
      applyAppearance(root, appearance);

      const report = () => {
        if (!mounted) return;
        const { form, fields } = mounted;
        const complete = form.validate(false) === null;
        onChange({ complete, error: form.shownError(), funding: fields.funding() });
      };
      const form = new SandboxForm(idPrefix, controller.signal, report);
      const fields =
        method === 'ach_debit'
          ? achFields(form, t, options.merchantName, `${idPrefix}-mandate`, report)
          : cardFields(form, t, method === 'wallet', report);
      root.append(...fields.nodes);

      const unadopt = adoptSandboxStyles(container);
      container.append(root);
      mounted = {
        root,
        form,
        fields,
        undo() {
          controller.abort();
          root.remove();
          unadopt();
        },
      };
      report();
    },

    restyle(appearance): void {
      if (mounted) applyAppearance(mounted.root, appearance);
    },

    tokenize(): Promise<PaymentMethodToken> {
      if (!mounted) return Promise.reject(new Error('The sandbox fields are not mounted'));
      // One exchange at a time: a second call while one is in flight gets the same answer.
      pending ??= exchange(mounted.form, mounted.fields).finally(() => {
        pending = null;
      });
      return pending;
    },

    destroy,
  };
}
