/** Internal: what {@link QuantGRU} and {@link QuantLSTM} share around their float core layer. */
import type { GRU, LSTM, ParameterStore } from '@lab/core';
import type { ActivationObserver } from './ActivationObserver.js';
import type { ActivationQuantParams } from './Int8Model.js';
import type { RecurrentQuant } from './recurrentQuant.js';

/**
 * Base of the quantisation-aware recurrent layers: wraps core's float layer `float` (which owns
 * the parameters in `store`) and the activation quantisation `q`, and mirrors the float layer's
 * shape fields. Internal.
 */
export abstract class QuantRecurrentLayer<F extends GRU | LSTM> {
  readonly name: string;
  readonly paramNames: readonly string[];
  readonly inputDim: number;
  readonly units: number;
  readonly returnSequences: boolean;
  readonly reverse: boolean;
  protected readonly store: ParameterStore;
  protected readonly float: F;
  protected readonly q: RecurrentQuant;

  protected constructor(store: ParameterStore, name: string, float: F, q: RecurrentQuant) {
    this.float = float;
    this.q = q;
    this.store = store;
    this.name = name;
    this.paramNames = float.paramNames;
    this.inputDim = float.inputDim;
    this.units = float.units;
    this.returnSequences = float.returnSequences;
    this.reverse = float.reverse;
  }

  /** The range observers: input (unless disabled) and hidden state. */
  get observers(): readonly ActivationObserver[] {
    return this.q.observers();
  }

  /** Every activation's quantisation parameters (observed and fixed grids); throws before any training call. */
  quantParams(): ActivationQuantParams[] {
    return this.q.quantParams(this.name);
  }
}
