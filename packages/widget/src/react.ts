/**
 * `<settle-pay>` as a React component, through @lit/react: `import { SettlePay } from
 * '@settle/widget/react'`. Importing it registers the elements (as `@settle/widget/define` does).
 * Properties go to the element as properties; each `settle-*` event is an `onSettle*` prop whose
 * handler gets the widget's typed event. This module is for npm only: settle.js never includes it.
 */
import { createComponent, type EventName } from '@lit/react';
import * as React from 'react';
import { SettlePay as SettlePayElement } from './components/pay/pay.js';
import './define.js';
import type { SettleChangeEvent } from './events/change.js';
import type { SettleErrorEvent } from './events/error.js';
import type { SettleReadyEvent } from './events/ready.js';
import type { SettleSubmitEvent } from './events/submit.js';
import type { SettleSuccessEvent } from './events/success.js';

export const SettlePay = createComponent({
  tagName: 'settle-pay',
  elementClass: SettlePayElement,
  react: React,
  events: {
    onSettleReady: 'settle-ready' as EventName<SettleReadyEvent>,
    onSettleChange: 'settle-change' as EventName<SettleChangeEvent>,
    onSettleSubmit: 'settle-submit' as EventName<SettleSubmitEvent>,
    onSettleSuccess: 'settle-success' as EventName<SettleSuccessEvent>,
    onSettleError: 'settle-error' as EventName<SettleErrorEvent>,
  },
  displayName: 'SettlePay',
});

/** The props of `<SettlePay>`: the element's properties, `onSettle*` handlers and React's own. */
export type SettlePayProps = React.ComponentProps<typeof SettlePay>;
