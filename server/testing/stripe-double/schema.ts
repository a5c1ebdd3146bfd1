/**
 * A small schema language for Stripe request parameters. The runtime specs validate what the
 * double receives; the types tie every spec to the official SDK's parameter types, so a name the
 * SDK does not have, a wrong kind (integer for a string), an enum value the SDK does not list, or
 * a required parameter marked optional fails `tsc` when the SDK is upgraded.
 */

export interface StringSpec {
  kind: 'string';
  maxLength?: number;
  format?: 'email' | 'url';
}
export interface IntegerSpec {
  kind: 'integer';
}
export interface BooleanSpec {
  kind: 'boolean';
}
export interface EnumSpec<L extends string = string> {
  kind: 'enum';
  values: readonly L[];
}
export interface MetadataSpec {
  kind: 'metadata';
}
export interface ArraySpec<S = Spec> {
  kind: 'array';
  of: S;
}
export interface ObjectSpec<T = unknown> {
  kind: 'object';
  fields: Record<string, Spec>;
  /** Only some of Stripe's keys are modelled: an unlisted key may be valid at Stripe. */
  partial: boolean;
  /** Phantom: the SDK type this object was checked against. */
  readonly sdkType?: T;
}
/** A parameter the SDK (and so Stripe) knows, which the double does not implement. */
export interface UnmodelledSpec {
  kind: 'unmodelled';
}
/** `required`: Stripe answers parameter_missing without it. `emptyable`: Stripe's `Emptyable<T>`, '' unsets it. */
export interface Flags {
  required?: boolean;
  emptyable?: boolean;
}
export type Spec = (
  | StringSpec
  | IntegerSpec
  | BooleanSpec
  | EnumSpec
  | MetadataSpec
  | ArraySpec
  | ObjectSpec
  | UnmodelledSpec
) &
  Flags;

// ---- type-level ties to the SDK ----

type Base<V> = Exclude<V, '' | null | undefined>;
/** The literal members of an SDK enum (`'a' | 'b' | OtherString` → `'a' | 'b'`). */
type Known<V> = V extends string ? (string extends V ? never : V) : never;
// The SDK writes Stripe's emptyable parameters as `Emptyable<T> = null | '' | T`.
type EmptyFlag<V> = null extends V ? { emptyable?: boolean } : { emptyable?: false };

type KindFor<B> = [B] extends [boolean]
  ? BooleanSpec
  : [B] extends [number]
    ? IntegerSpec
    : [B] extends [string]
      ? [Known<B>] extends [never]
        ? StringSpec
        : EnumSpec<Known<B>>
      : [B] extends [Array<infer E>]
        ? ArraySpec<SpecFor<E>>
        : [B] extends [object]
          ? string extends keyof B
            ? MetadataSpec
            : ObjectSpec<B>
          : Spec;
/** The spec(s) allowed for a parameter whose SDK type is `V`. */
export type SpecFor<V> = (KindFor<Base<V>> & EmptyFlag<V>) | UnmodelledSpec;

type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
type OptionalKeys<T> = Exclude<keyof T, RequiredKeys<T>>;
type Field<T, K extends keyof T> =
  K extends RequiredKeys<T>
    ? Exclude<SpecFor<T[K]>, UnmodelledSpec> & { required: true }
    : SpecFor<T[K]> & { required?: false };

/** Every key of `T`, each with a spec of the matching kind (or `unmodelled`). */
export type Fields<T> = { [K in keyof T]-?: Field<T, K> };
/** Some keys of `T` (all of its required ones). */
export type SomeFields<T> = { [K in RequiredKeys<T>]-?: Field<T, K> } & { [K in OptionalKeys<T>]?: Field<T, K> };

// ---- builders ----

export const unmodelled: UnmodelledSpec = { kind: 'unmodelled' };
export const string = (opts: Omit<StringSpec, 'kind'> = {}): StringSpec => ({ kind: 'string', ...opts });
export const integer = (): IntegerSpec => ({ kind: 'integer' });
export const boolean = (): BooleanSpec => ({ kind: 'boolean' });
export const metadata = (): MetadataSpec => ({ kind: 'metadata' });
export function oneOf<const L extends string>(values: readonly L[]): EnumSpec<L> {
  return { kind: 'enum', values };
}
export function array<S extends Spec>(of: S): ArraySpec<S> {
  return { kind: 'array', of };
}
export function required<S extends Spec>(spec: S): S & { required: true } {
  return { ...spec, required: true };
}
export function emptyable<S extends Spec>(spec: S): S & { emptyable: true } {
  return { ...spec, emptyable: true };
}
/** An object whose every SDK key is listed (modelled or `unmodelled`). */
export function object<T>(fields: Fields<T>): ObjectSpec<T> {
  return { kind: 'object', fields: fields as Record<string, Spec>, partial: false };
}
/** An object of which only some SDK keys are modelled; others are rejected as unknown. */
export function someOf<T>(fields: SomeFields<T>): ObjectSpec<T> {
  return { kind: 'object', fields: fields as Record<string, Spec>, partial: true };
}
