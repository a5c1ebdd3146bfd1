import type { Appearance } from '@stripe/stripe-js';
import type { MountOptions } from './provider.js';

/**
 * A CSS colour as Stripe's Appearance API takes it (hex, rgb()): a page's `--settle-color-*` may be
 * `oklch()`, `color-mix()` or a name, which Chromium's canvas keeps as written in `fillStyle`, so
 * the colour is painted into one pixel and read back in sRGB.
 */
function srgb(color: string): string {
  const canvas = Object.assign(document.createElement('canvas'), { width: 1, height: 1 });
  const ctx = CSS.supports('color', color) ? canvas.getContext('2d', { willReadFrequently: true }) : null;
  if (!ctx) return color;
  ctx.fillStyle = color;
  ctx.fillRect(0, 0, 1, 1);
  const [r = 0, g = 0, b = 0, a = 255] = ctx.getImageData(0, 0, 1, 1).data;
  if (a < 255) return `rgba(${r}, ${g}, ${b}, ${Math.round((a / 255) * 1000) / 1000})`;
  return `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** The widget's resolved theme as Stripe's Appearance API takes it. */
export function stripeAppearance(a: MountOptions['appearance']): Appearance {
  return {
    theme: 'stripe',
    variables: {
      colorPrimary: srgb(a.colorPrimary),
      colorText: srgb(a.colorText),
      colorBackground: srgb(a.colorBackground),
      colorDanger: srgb(a.colorDanger),
      borderRadius: a.borderRadius,
      fontFamily: a.fontFamily,
    },
  };
}
