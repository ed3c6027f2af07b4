/** The part of ml-regression (which ships no type declarations) the cost model uses. */
declare module 'ml-regression' {
  export class MultivariateLinearRegression {
    constructor(x: number[][], y: number[][], options?: { intercept?: boolean; statistics?: boolean });
    /** One row per input (then the intercept's), one column per output. */
    readonly weights: number[][];
    predict(x: number[]): number[];
  }
}
