/**
 * SVG charts for the benchmark report, rendered headless by vega-lite (spec → vega) and vega
 * (`View.toSVG()`). Both packages are ESM-only; they are loaded through a real dynamic `import()`
 * that the CommonJS TypeScript output does not rewrite into `require()`.
 */

/** The part of vega's API used here (its types do not resolve under CommonJS module resolution). */
interface VegaView {
  toSVG(): Promise<string>;
  finalize(): void;
}
interface VegaModule {
  View: new (runtime: unknown, options: { renderer: "none" }) => VegaView;
  parse(spec: unknown): unknown;
}
/** The part of vega-lite's API used here. */
interface VegaLiteModule {
  compile(spec: Record<string, unknown>): { spec: unknown };
}

const importEsm = new Function("specifier", "return import(specifier)") as <T>(
  specifier: string,
) => Promise<T>;

let modules: Promise<{ vega: VegaModule; vegaLite: VegaLiteModule }> | undefined;

function load(): Promise<{ vega: VegaModule; vegaLite: VegaLiteModule }> {
  modules ??= Promise.all([
    importEsm<VegaModule>("vega"),
    importEsm<VegaLiteModule>("vega-lite"),
  ]).then(([vega, vegaLite]) => ({ vega, vegaLite }));
  return modules;
}

/** One point of a line chart: x, y and the series it belongs to. */
export interface SeriesPoint {
  x: number;
  y: number;
  series: string;
}

export interface LineChartParameters {
  title: string;
  xTitle: string;
  yTitle: string;
  points: readonly SeriesPoint[];
  /** Log scale on y (gas spans orders of magnitude between EAS and batches). */
  logY?: boolean;
  /** Log scale on x. */
  logX?: boolean;
  /** Series drawn dashed, as reference lines. */
  referenceSeries?: readonly string[];
}

/** Renders a multi-series line chart with point markers to an SVG string. */
export async function renderLineChart(parameters: LineChartParameters): Promise<string> {
  const { vega, vegaLite } = await load();
  const reference = parameters.referenceSeries ?? [];
  const spec: Record<string, unknown> = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: parameters.title,
    width: 560,
    height: 320,
    background: "white",
    data: {
      values: parameters.points.map((p) => ({ ...p, reference: reference.includes(p.series) })),
    },
    mark: { type: "line", point: true, strokeWidth: 2 },
    encoding: {
      x: {
        field: "x",
        type: "quantitative",
        title: parameters.xTitle,
        scale: parameters.logX ? { type: "log", nice: false } : { zero: false, nice: false },
      },
      y: {
        field: "y",
        type: "quantitative",
        title: parameters.yTitle,
        scale: parameters.logY ? { type: "log" } : { zero: true },
      },
      color: {
        field: "series",
        type: "nominal",
        title: null,
        legend: { orient: "bottom", columns: 2, labelLimit: 400 },
      },
      strokeDash: {
        field: "reference",
        type: "nominal",
        legend: null,
        scale: {
          domain: [false, true],
          range: [
            [1, 0],
            [6, 4],
          ],
        },
      },
    },
  };
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
