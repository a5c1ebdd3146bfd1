/**
 * The script-tag entry (`settle.js`, an IIFE with everything bundled). It carries no zod: the
 * element's own client trusts the server that served this file (docs/decisions/0006), so a strict
 * Content-Security-Policy meets no `new Function` probe and there is no parser to configure.
 */
import './define.js';
