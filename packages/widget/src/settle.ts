/**
 * The script-tag entry (`settle.js`, an IIFE with everything bundled). Under a strict
 * Content-Security-Policy zod 4 must not probe `new Function` (the probe is caught, but the
 * browser still reports a CSP violation), so it runs its interpreter only. The probe runs at
 * the first parse, never while modules load, so setting this after the imports is in time.
 */
import { config } from 'zod/mini';
import './define.js';

config({ jitless: true });
