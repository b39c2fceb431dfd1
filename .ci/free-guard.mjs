// The guard against use after `free()` that every entry of the npm package runs (.ci/pack.mjs),
// and that .ci/build.mjs appends to the raw Node build (pkg/node: the demo receiver, the JS tests
// and servers load it), so both behave alike.
//
// wasm-bindgen's classes hold a pointer into wasm memory (`__wbg_ptr`), zeroed by `free()`.
// A freed handle used again, freed again, or passed to another export threw wasm-bindgen's
// "null pointer passed to rust", naming neither the class nor the cause; and a `using`
// declaration whose handle was also freed by hand threw at the end of its block. `guardFree`
// patches the generated classes once (a symbol marks them, so a second call does nothing): a
// method, getter or static call on or with a freed handle throws an Error naming the class, the
// method and `free()`; `free()` (and `[Symbol.dispose]`) on a freed handle does nothing; a call
// given something else where a class is expected says which call and which class.

export const FREE_GUARD = `
/** Makes use after \`free()\` an Error naming what was used, and \`free()\` idempotent. */
function guardFree(classes) {
  const PATCHED = Symbol.for('baton.freeGuard');
  const freedOne = (args) => args.findIndex((a) => classes.some(([, cls]) => a instanceof cls && a.__wbg_ptr === 0));
  const used = (name, key, args) => {
    const i = freedOne(args);
    if (i >= 0) {
      const arg = classes.find(([, cls]) => args[i] instanceof cls)[0];
      throw new Error(\`baton: \${name}.\${key}(): its \${arg} argument was used after free(): that handle's memory is released; pass a live \${arg}\`);
    }
  };
  // wasm-bindgen's own check of a class argument throws "expected instance of CompiledModel",
  // naming neither the call nor what came instead: the same message as a freed handle's.
  const named = (name, key, err) => {
    const m = /^expected instance of (\\w+)$/.exec(err instanceof Error ? err.message : '');
    if (!m) return err;
    return new TypeError(\`baton: \${name}.\${key}(): expected a \${m[1]} argument (made by \\\`new \${m[1]}()\\\`)\`);
  };
  const call = (name, key, method, self, args) => {
    try {
      return method.apply(self, args);
    } catch (err) {
      throw named(name, key, err);
    }
  };
  for (const [name, cls] of classes) {
    const proto = cls.prototype;
    if (Object.hasOwn(proto, PATCHED)) continue;
    Object.defineProperty(proto, PATCHED, { value: true });
    const afterFree = (what) =>
      new Error(\`baton: \${name}.\${what} after free(): this \${name}'s memory is released; create a new one\`);
    const release = proto.free;
    const freeOnce = function free() {
      if (this.__wbg_ptr === 0) return;
      release.call(this);
    };
    proto.free = freeOnce;
    if (typeof Symbol.dispose === 'symbol' && Object.hasOwn(proto, Symbol.dispose)) proto[Symbol.dispose] = freeOnce;
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key === 'constructor' || key === 'free' || key.startsWith('__')) continue;
      const d = Object.getOwnPropertyDescriptor(proto, key);
      if (typeof d.value === 'function') {
        const method = d.value;
        d.value = {
          [key](...args) {
            if (this.__wbg_ptr === 0) throw afterFree(\`\${key}() was called\`);
            used(name, key, args);
            return call(name, key, method, this, args);
          },
        }[key];
      }
      if (d.get) {
        const get = d.get;
        d.get = function () {
          if (this.__wbg_ptr === 0) throw afterFree(\`\${key} was read\`);
          return get.call(this);
        };
      }
      Object.defineProperty(proto, key, d);
    }
    for (const key of Object.getOwnPropertyNames(cls)) {
      const d = Object.getOwnPropertyDescriptor(cls, key);
      if (key.startsWith('__') || typeof d.value !== 'function' || key === 'prototype') continue;
      const method = d.value;
      d.value = {
        [key](...args) {
          used(name, key, args);
          return call(name, key, method, this, args);
        },
      }[key];
      Object.defineProperty(cls, key, d);
    }
  }
}
`;

/** The call guarding `classes` (names of classes in scope of the generated module). */
export const guardCall = (classes, at = (n) => n) =>
  `${FREE_GUARD}guardFree([${classes.map((n) => `['${n}', ${at(n)}]`).join(', ')}]);\n`;
