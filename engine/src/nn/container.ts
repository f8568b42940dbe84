/** Containers: Sequential and ModuleList. */
import { Module } from './module.js';

/**
 * Modules applied in order, each to the previous one's output.
 * @example new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 2))
 */
export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) throw new TypeError(`Sequential: argument ${i} is not a Module`);
      (this as unknown as Record<string, Module>)[String(i)] = m;
    });
  }
  get length(): number {
    return Array.from(this.children()).length;
  }
  at(i: number): Module {
    const list = Array.from(this.children());
    const m = list[i < 0 ? i + list.length : i];
    if (!m) throw new RangeError(`Sequential: index ${i} is out of range for ${list.length} modules`);
    return m;
  }
  forward(x: unknown): unknown {
    let out = x;
    for (const m of this.children()) out = (m.forward as (a: unknown) => unknown)(out);
    return out;
  }
}

/**
 * A list of modules whose parameters are registered (a plain array's would not be).
 * Iterable, with `length`, `at(i)` and `append(m)`.
 */
export class ModuleList<M extends Module = Module> extends Module implements Iterable<M> {
  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.append(m);
  }
  get length(): number {
    return Object.keys(this).filter((k) => /^\d+$/.test(k)).length;
  }
  append(m: M): this {
    if (!(m instanceof Module)) throw new TypeError('ModuleList: can only hold Modules');
    (this as unknown as Record<string, M>)[String(this.length)] = m;
    return this;
  }
  at(i: number): M {
    const n = this.length;
    const m = (this as unknown as Record<string, M>)[String(i < 0 ? i + n : i)];
    if (!m) throw new RangeError(`ModuleList: index ${i} is out of range for ${n} modules`);
    return m;
  }
  *[Symbol.iterator](): Iterator<M> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }
  forward(): never {
    throw new Error('ModuleList has no forward(); iterate over its modules instead');
  }
}
