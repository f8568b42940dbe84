import { Tensor } from '../tensor.js';
import { isFloating } from '../dtype.js';

/**
 * A tensor that is a module's learnable weight: it requires grad by default and is found
 * by `Module.parameters()`. It shares storage with the tensor it was made from.
 * @example this.weight = new Parameter(zeros([out, inp]))
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    if (!(data instanceof Tensor)) throw new TypeError('Parameter: expects a Tensor');
    if (!isFloating(data.dtype)) throw new TypeError(`Parameter: parameters must be floating point, got ${data.dtype}`);
    const c = data.contiguous();
    super(c.storage, c.shape.slice(), c.strides.slice(), c.offset);
    this.requiresGrad = requiresGrad;
  }
}
