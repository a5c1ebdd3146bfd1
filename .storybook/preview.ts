import type { Preview } from '@storybook/web-components-vite';
import { setCustomElementsManifest } from '@storybook/web-components-vite';
import manifest from '../packages/widget/custom-elements.json';

// Docs pages (properties, events, parts, slots, custom properties) come from the widget's
// Custom Elements Manifest, which `cem analyze` writes from the components' JSDoc.
setCustomElementsManifest(manifest);

const preview: Preview = {
  tags: ['autodocs'],
  parameters: {
    layout: 'padded',
    controls: { expanded: true },
    viewport: {
      options: {
        phone: { name: 'Phone (390 × 844)', styles: { width: '390px', height: '844px' }, type: 'mobile' },
        desktop: { name: 'Desktop (1280 × 900)', styles: { width: '1280px', height: '900px' }, type: 'desktop' },
      },
    },
    // Axe runs on every story in the a11y panel; 'error' fails Storybook's own test runs too.
    a11y: { test: 'error' },
  },
};
export default preview;
