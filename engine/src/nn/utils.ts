/** `nn.utils`, as `torch.nn.utils`: gradient clipping. */
export { clipGradNorm_, clipGradValue_, type ClipGradNormOptions } from '../optim/clip-grad.js';
