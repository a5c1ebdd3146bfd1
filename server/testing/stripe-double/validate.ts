import { invalidParam } from './errors.js';
import type { FormRecord, FormValue } from './form.js';
import type { ObjectSpec, Spec } from './schema.js';

/** Validated parameters: integers and booleans converted, `''` kept where it means "unset". */
export type Params = { [key: string]: Value };
export type Value = string | number | boolean | Value[] | Params;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function describe(value: FormValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function emptyMessage(path: string): string {
  return (
    `You passed an empty string for '${path}'. We assume empty values are an attempt to unset a parameter; ` +
    `however '${path}' cannot be unset. You should remove '${path}' from your request or supply a non-empty value.`
  );
}

function listOf(values: readonly string[]): string {
  return values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')}, or ${values.at(-1)}`;
}

function checkMetadata(value: FormValue, path: string): Params | '' {
  if (value === '') return '';
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParam('Invalid hash', path);
  const entries = Object.entries(value);
  if (entries.length > 50) {
    throw invalidParam(`Metadata can have up to 50 keys, but you passed in ${entries.length} keys.`, path);
  }
  const result: Params = {};
  for (const [key, item] of entries) {
    if (/[[\]]/.test(key)) {
      throw invalidParam(`Metadata keys cannot contain square brackets ('[' or ']'): '${key}'.`, path);
    }
    if (key.length > 40) {
      throw invalidParam(
        `Metadata keys can have up to 40 characters, but you passed in a key that is ${key.length} characters. Invalid key: ${key}`,
        path,
      );
    }
    if (typeof item !== 'string') {
      throw invalidParam(`Metadata values must be strings, but for key '${key}' you passed in a hash.`, path);
    }
    if (item.length > 500) {
      throw invalidParam(
        `Metadata values can have up to 500 characters, but you passed in a value that is ${item.length} characters. Invalid value: ${item}`,
        path,
      );
    }
    result[key] = item;
  }
  return result;
}

function toArray(value: FormValue, path: string): FormValue[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.every((key) => /^\d+$/.test(key))) {
      return keys.sort((a, b) => Number(a) - Number(b)).map((key) => value[key]!);
    }
  }
  throw invalidParam('Invalid array', path);
}

function checkValue(spec: Spec, value: FormValue, path: string): Value {
  if (value === '' && spec.kind !== 'string') {
    if (spec.emptyable) return '';
    throw invalidParam(emptyMessage(path), path, 'parameter_invalid_empty');
  }
  switch (spec.kind) {
    case 'unmodelled':
      throw invalidParam(
        `The Stripe double does not model the parameter '${path}' (Stripe accepts it; see server/testing/stripe-double/README.md).`,
        path,
      );
    case 'string': {
      if (typeof value !== 'string') throw invalidParam(`Invalid string: ${describe(value)}`, path);
      if (value === '' && !spec.emptyable) throw invalidParam(emptyMessage(path), path, 'parameter_invalid_empty');
      if (spec.maxLength !== undefined && value.length > spec.maxLength) {
        throw invalidParam(`Invalid string: ${value}; must be at most ${spec.maxLength} characters`, path);
      }
      if (value && spec.format === 'email' && !EMAIL.test(value)) {
        throw invalidParam(`Invalid email address: ${value}`, path, 'email_invalid');
      }
      if (value && spec.format === 'url' && !URL.canParse(value)) {
        throw invalidParam(`Not a valid URL`, path, 'url_invalid');
      }
      return value;
    }
    case 'integer':
      if (typeof value !== 'string' || !/^-?\d+$/.test(value)) {
        throw invalidParam(`Invalid integer: ${describe(value)}`, path, 'parameter_invalid_integer');
      }
      return Number(value);
    case 'boolean':
      if (value !== 'true' && value !== 'false') throw invalidParam(`Invalid boolean: ${describe(value)}`, path);
      return value === 'true';
    case 'enum':
      if (typeof value !== 'string' || !spec.values.includes(value)) {
        throw invalidParam(`Invalid ${path}: must be one of ${listOf(spec.values)}`, path);
      }
      return value;
    case 'metadata':
      return checkMetadata(value, path);
    case 'array':
      return toArray(value, path).map((item, index) => checkValue(spec.of, item, `${path}[${index}]`));
    case 'object':
      if (typeof value !== 'object' || Array.isArray(value)) throw invalidParam('Invalid hash', path);
      return checkObject(spec, value, path);
  }
}

/**
 * Validates parsed form parameters against a spec the way Stripe does: unknown names are
 * `parameter_unknown`, missing required ones `parameter_missing`, wrong types name the parameter.
 */
export function checkObject(spec: ObjectSpec, input: FormRecord, prefix = ''): Params {
  const name = (key: string) => (prefix ? `${prefix}[${key}]` : key);
  const result: Params = {};
  for (const [key, value] of Object.entries(input)) {
    const field = spec.fields[key];
    if (!field) {
      const hint = spec.partial ? ` (the Stripe double models only ${Object.keys(spec.fields).join(', ')} here)` : '';
      throw invalidParam(`Received unknown parameter: ${name(key)}${hint}`, name(key), 'parameter_unknown');
    }
    result[key] = checkValue(field, value, name(key));
  }
  for (const [key, field] of Object.entries(spec.fields)) {
    if (field.required && !(key in input)) {
      throw invalidParam(`Missing required param: ${name(key)}.`, name(key), 'parameter_missing');
    }
  }
  return result;
}
