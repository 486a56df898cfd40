'use strict';
/**
 * The unknown-field observation of the schema judge, shared by the in-process judge (Kubernetes 1.27,
 * kubernetes-models 4.4.2, CommonJS) and the child-process runner of newer targets (kubernetes-models
 * 5.x is ESM-only): plain CommonJS so that both can load it.
 *
 * The object is handed to the model's precompiled validator behind a read-tracking Proxy. A generated
 * validator reads every property its schema declares and enumerates map-like objects, so an object key
 * that it never read, in an object whose schema declares properties, is a field the schema does not know.
 */

/** Wraps `value` so that every property read and key enumeration on plain objects is recorded. */
function track(value, path, records) {
  if (typeof value !== 'object' || value === null) return value;
  const record = Array.isArray(value) ? undefined : { path, target: value, read: new Set(), enumerated: false };
  if (record) records.push(record);
  const children = new Map();
  return new Proxy(value, {
    get(target, key, receiver) {
      const child = Reflect.get(target, key, receiver);
      if (typeof key !== 'string') return child;
      if (record) record.read.add(key);
      if (typeof child !== 'object' || child === null || !Object.prototype.hasOwnProperty.call(target, key)) return child;
      if (!children.has(key)) children.set(key, track(child, [...path, Array.isArray(target) ? Number(key) : key], records));
      return children.get(key);
    },
    ownKeys(target) {
      if (record) record.enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
}

/**
 * Runs a model's `validate` (a prototype method that throws `{ errors }`) over `obj`.
 * @returns the ajv errors and the paths (segment arrays) of the fields the schema does not know
 */
function validateWithModel(validate, obj) {
  const records = [];
  const proxy = track(obj, [], records);
  let errors = [];
  try {
    validate.call(proxy);
  } catch (err) {
    if (!err || !Array.isArray(err.errors)) throw err;
    errors = err.errors.map((e) => ({ instancePath: e.instancePath, keyword: e.keyword, params: e.params, message: e.message }));
  }
  const unknownFields = [];
  for (const record of records) {
    // A validator that neither read nor enumerated anything has no declared properties
    // (a free-form object such as RawExtension): nothing to judge there.
    if (record.enumerated || record.read.size === 0) continue;
    for (const key of Object.keys(record.target)) {
      if (!record.read.has(key)) unknownFields.push([...record.path, key]);
    }
  }
  return { errors, unknownFields };
}

module.exports = { validateWithModel };
