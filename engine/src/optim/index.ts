/**
 * `optim`: optimizers and learning-rate schedulers with PyTorch's update rules and
 * hyper-parameter names (camelCase). Gradient clipping is `nn.utils.clipGradNorm_`,
 * as in PyTorch.
 *
 * @example
 * const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
 * const sched = new optim.StepLR(opt, { stepSize: 10, gamma: 0.5 });
 * for (const [x, y] of batches) {
 *   opt.zeroGrad();
 *   crossEntropy(model.forward(x), y).backward();
 *   nn.utils.clipGradNorm_(model.parameters(), 1);
 *   opt.step();
 * }
 * sched.step();
 */
export {
  Optimizer,
  type BaseOptions,
  type ParamGroup,
  type ParamGroupInput,
  type ParamsInput,
  type ParamState,
  type OptimizerStateDict,
} from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export {
  LRScheduler,
  StepLR,
  CosineAnnealingLR,
  LambdaLR,
  TransformerLR,
  transformerLr,
  type LrLambda,
  type SchedulerStateDict,
} from './lr-scheduler.js';
