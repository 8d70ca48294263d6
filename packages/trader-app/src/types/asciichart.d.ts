declare module 'asciichart' {
  interface PlotConfig {
    height?: number;
    offset?: number;
    padding?: string;
    colors?: string[];
    min?: number;
    max?: number;
    format?: (x: number, i: number) => string;
  }
  const asciichart: {
    plot(series: number[] | number[][], config?: PlotConfig): string;
  };
  export default asciichart;
}
