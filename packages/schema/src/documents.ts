import * as z from 'zod/mini';

/**
 * Document downloads answer with a file, not JSON: a PDF's bytes, or a CSV's text. The merchant
 * client returns them as they came (`Uint8Array` / `string`); these schemas name that in the routes table.
 */
export const PdfSchema = z.instanceof(Uint8Array);
export const CsvSchema = z.string();

/** The widget's signed download links for the session's customer (they expire with the session). */
export const SessionDocumentsSchema = z.object({
  statementPdf: z.string(),
  statementCsv: z.string(),
});
export type SessionDocuments = z.infer<typeof SessionDocumentsSchema>;
