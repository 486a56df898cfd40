import { ApiObject, ApiObjectProps, Lazy } from 'cdk8s';
import { IConstruct } from 'constructs';
import type { ObjectMeta } from 'kubernetes-types/meta/v1';

/**
 * A Kubernetes manifest of type `T` (a `kubernetes-types` object, or one of our
 * own interfaces for custom resources) whose type meta may be any version of it:
 * the compiler checks every field the library writes.
 */
export type Manifest<T> = Omit<T, 'apiVersion' | 'kind' | 'metadata'> & {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: ObjectMeta;
};

/** The ApiObject of a typed manifest (type-checked here, plain JSON to cdk8s). */
export function emit<T>(scope: IConstruct, id: string, manifest: Manifest<T>): ApiObject {
  return new ApiObject(scope as any, id, manifest as unknown as ApiObjectProps);
}

/** A value computed when the object is rendered, typed as what it produces. */
export function rendered<T>(produce: () => T | undefined): T {
  return Lazy.any({ produce }) as unknown as T;
}
