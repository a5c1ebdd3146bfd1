import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { rowOffsets, visibleRange } from './row-window.js';

/** The fixed heights a row is made of, as CSS draws them in the current layout. */
export interface RowHeights {
  /** Every row. */
  row: number;
  /** Added to a selected row (the amount's own line in the card layout, else 0). */
  selected: number;
  /** Added to a short-paid row: the reason and note fields. */
  fields: number;
  /** Added to a row with messages. */
  messages: number;
}

type Host = ReactiveControllerHost & HTMLElement & { renderRoot: ParentNode; hasUpdated: boolean };

const OVERSCAN = 4;

/**
 * Windowing for a list of rows of a few fixed heights: measures those heights from hidden
 * probe elements (`.probe-row`, `.probe-selected`, `.probe-fields`, `.probe-messages`), follows
 * the scroll position and viewport size of `.viewport`, and says which rows to render.
 */
export class WindowController implements ReactiveController {
  heights: RowHeights = { row: 56, selected: 0, fields: 48, messages: 40 };
  /** True when the heights changed since the last `layout()`. */
  stale = true;
  #top = 0;
  #viewportHeight = 0;
  #offsets: Float64Array = new Float64Array(1);
  #frame = 0;
  #observing = false;
  readonly #resize = new ResizeObserver(() => this.#scheduleMeasure());

  constructor(private readonly host: Host) {
    host.addController(this);
  }

  hostConnected(): void {
    if (this.host.hasUpdated) this.#observe();
  }

  hostUpdated(): void {
    this.#observe();
  }

  hostDisconnected(): void {
    this.#resize.disconnect();
    this.#observing = false;
    cancelAnimationFrame(this.#frame);
  }

  get viewport(): HTMLElement | null {
    return this.host.renderRoot.querySelector<HTMLElement>('.viewport');
  }

  /** Computes every row's offset (prefix sums) from its height. */
  layout(count: number, heightOf: (index: number, heights: RowHeights) => number): void {
    const heights = this.heights;
    this.#offsets = rowOffsets(count, (i) => heightOf(i, heights));
    this.stale = false;
  }

  get total(): number {
    return this.#offsets[this.#offsets.length - 1] ?? 0;
  }

  top(index: number): number {
    return this.#offsets[index] ?? 0;
  }

  height(index: number): number {
    return (this.#offsets[index + 1] ?? 0) - (this.#offsets[index] ?? 0);
  }

  /** The rows in view, with a few more on each side; before the first measurement, a screenful. */
  range(): { start: number; end: number } {
    return visibleRange(this.#offsets, this.#top, this.#viewportHeight || 1000, OVERSCAN);
  }

  readonly handleScroll = (): void => {
    const top = this.viewport?.scrollTop ?? 0;
    if (top === this.#top) return;
    this.#top = top;
    this.host.requestUpdate();
  };

  /** Back to the first row, as after a new sort order. */
  scrollToTop(): void {
    const viewport = this.viewport;
    if (viewport) viewport.scrollTop = 0;
    this.#top = 0;
    this.host.requestUpdate();
  }

  /** Scrolls row `index` into view when it is not, and waits until it is rendered. */
  async reveal(index: number): Promise<void> {
    const viewport = this.viewport;
    if (!viewport) return;
    const top = this.top(index);
    if (top < viewport.scrollTop || top + this.height(index) > viewport.scrollTop + viewport.clientHeight) {
      viewport.scrollTop = top;
      this.#top = viewport.scrollTop;
      this.host.requestUpdate();
    }
    await this.host.updateComplete;
  }

  #observe(): void {
    if (this.#observing) return;
    // Observing reports every element's size once, which measures the rows on the next frame.
    for (const el of this.host.renderRoot.querySelectorAll('.viewport, .probe')) this.#resize.observe(el);
    this.#observing = true;
  }

  /** Deferred a frame: a measurement that re-renders inside the observer's callback would loop. */
  #scheduleMeasure(): void {
    cancelAnimationFrame(this.#frame);
    this.#frame = requestAnimationFrame(() => this.#measure());
  }

  #measure(): void {
    const root = this.host.renderRoot;
    const px = (cls: string) => root.querySelector(`.${cls}`)?.getBoundingClientRect().height ?? 0;
    const heights: RowHeights = {
      row: px('probe-row') || this.heights.row,
      selected: px('probe-selected'),
      fields: px('probe-fields'),
      messages: px('probe-messages'),
    };
    const old = this.heights;
    const changed = (Object.keys(heights) as (keyof RowHeights)[]).some((k) => heights[k] !== old[k]);
    const viewportHeight = this.viewport?.clientHeight ?? 0;
    if (!changed && viewportHeight === this.#viewportHeight) return;
    if (changed) {
      this.heights = heights;
      this.stale = true;
    }
    this.#viewportHeight = viewportHeight;
    this.host.requestUpdate();
  }
}
