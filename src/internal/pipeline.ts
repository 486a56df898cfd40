import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { CLUSTER_SCOPED_KINDS, clusterScoped } from './render';
import { ConstructReporter } from './report';

/**
 * The synthesis pipeline: one per App, run once per synthesis.
 *
 * Every ApiObject of the app is rendered by cdk8s once; then the stages below
 * run in this fixed order, whatever the order of the user's calls, and the
 * result is the one set of final manifests that `app.synth()`,
 * `Testing.synth()`, `chart.toJson()`, `ApiObject.toJson()`, the rule packs,
 * `SecurityTesting` and `FalcoRules` all read.
 */
export enum Stage {
  /** The latch joins the pods it guards (agent sidecar, gate, status volume). */
  LATCH = 'latch',
  /** Pods that need pid limits are scheduled onto pid-limited nodes. */
  PID_LIMITS = 'pid-limits',
  /** The hardened profile: identities, derived ServiceAccounts and budgets, security contexts. */
  HARDENING = 'hardening',
  /** Cluster-scoped kinds lose their namespace; node configuration its metadata. */
  CLEAN_UP = 'clean-up',
  /** Selectors on cdk8s-plus construct-path hashes get the stable labels, app-wide. */
  SELECTORS = 'selectors',
  /** App-wide refusals that need every final object (network coverage of hardened workloads). */
  CHECKS = 'checks',
  /** Objects computed from the other objects' final manifests (Falco rules). */
  DERIVED = 'derived',
}

/** The stages in the order they run. */
export const STAGES: readonly Stage[] = [
  Stage.LATCH, Stage.PID_LIMITS, Stage.HARDENING, Stage.CLEAN_UP, Stage.SELECTORS, Stage.CHECKS, Stage.DERIVED,
];

/** A change to one object's manifest: returns the new manifest (or the same, modified). */
export type Transform = (json: any, run: PipelineRun) => any;

/** App-wide work of a stage, run once before that stage's per-object transforms. */
export type AppStep = (run: PipelineRun) => void;

/** One synthesis: the manifests as they go through the stages, and the problems found. */
export class PipelineRun {
  /** Every object of the app and its manifest, in construct-tree order (objects added by a stage come last). */
  public readonly manifests = new Map<ApiObject, any>();
  private readonly problems: Array<{ scope: IConstruct; message: string }> = [];
  private frozen?: { readonly objects: ApiObject[]; readonly manifests: any[] };

  constructor(private readonly render: (obj: ApiObject) => any) {}

  /**
   * The objects and their manifests as two parallel arrays, built once per
   * stage and shared by that stage's read-only steps (the CHECKS stage's checks
   * and the rules they run, which index the same array).
   */
  public snapshot(): { readonly objects: ApiObject[]; readonly manifests: any[] } {
    if (!this.frozen) {
      const objects = [...this.manifests.keys()];
      this.frozen = { objects, manifests: objects.map((o) => this.manifests.get(o)) };
    }
    return this.frozen;
  }

  /** A new stage starts: the previous stage may have changed manifests. */
  public nextStage(): void {
    this.frozen = undefined;
  }

  /** Adds an object created during the run (a derived ServiceAccount...) with its cdk8s rendering. */
  public add(obj: ApiObject): any {
    const json = this.render(obj);
    this.manifests.set(obj, json);
    return json;
  }

  /**
   * Adds or sets the manifest of an object whose stage computes it whole (see
   * `SynthesisPipeline.supply`): no cdk8s rendering.
   */
  public put(obj: ApiObject, json: any): void {
    this.manifests.set(obj, json);
  }

  /** Records a problem; `message` starts with the construct path it is about. */
  public error(scope: IConstruct, message: string): void {
    this.problems.push({ scope, message });
  }

  /** Every problem found, in the order found. */
  public get errors(): string[] {
    return this.problems.map((p) => p.message);
  }

  /** Every problem with the construct users think of (`ownerOf`) it is about. */
  public get problemsByOwner(): Array<{ construct: IConstruct; message: string }> {
    return this.problems.map((p) => ({ construct: ApiObject.isApiObject(p.scope) ? ownerOf(p.scope) : p.scope, message: p.message }));
  }

  /** The objects under `scope` (construct-tree order) with their final manifests. */
  public objectsUnder(scope: IConstruct): ApiObject[] {
    return scope.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c) && this.manifests.has(c));
  }
}

/** The construct users think of: the cdk8s-plus workload for its `Resource`, else the ApiObject. */
export function ownerOf(obj: ApiObject): IConstruct {
  return obj.node.id === 'Resource' && obj.node.scope ? obj.node.scope : obj;
}

const PIPELINE = Symbol.for('cdk8s-superlatch.pipeline');

/** The pipeline of an App: the registered transforms, and the result of the current synthesis. */
export class SynthesisPipeline {
  /** The app's pipeline, installed at the first call. */
  public static of(scope: IConstruct): SynthesisPipeline {
    const root = scope.node.root as any;
    return root[PIPELINE] ??= new SynthesisPipeline(scope.node.root);
  }

  private readonly transforms = new Map<Stage, Array<{ obj: ApiObject; transform: Transform }>>();
  private readonly steps = new Map<Stage, AppStep[]>();
  private readonly renderRaw = new WeakMap<ApiObject, () => any>();
  /** Objects whose manifest a stage computes whole each run: what they hold until that stage. */
  private readonly supplied = new WeakMap<ApiObject, () => any>();
  private current?: PipelineRun;
  private running = false;
  /** Inside `app.synth()` / `app.synthYaml()`, which validate the whole app again for every chart. */
  private inAppSynthesis = false;
  /** Reports each problem at the validation of the construct it is about. */
  private readonly reporter = new ConstructReporter();

  private constructor(private readonly root: IConstruct) {
    // cdk8s validates the root first in every synthesis (chart.toJson /
    // Testing.synth, app.synth, synthYaml): a new synthesis starts from scratch,
    // and one app synthesis (which validates once per chart) runs the pipeline once.
    // The root is validated before every other construct: the problems are handed
    // to the constructs they are about, whose validations report them.
    const node = root.node as any;
    const validate = node.validate.bind(node);
    node.validate = () => {
      if (!this.inAppSynthesis) this.invalidate();
      this.reporter.report(this.result().problemsByOwner);
      return validate();
    };
    const app = root as any;
    for (const method of ['synth', 'synthYaml']) {
      if (typeof app[method] !== 'function') continue;
      const synth = app[method].bind(app);
      app[method] = (...args: any[]) => {
        if (this.inAppSynthesis) return synth(...args);
        this.invalidate();
        this.inAppSynthesis = true;
        try {
          return synth(...args);
        } finally {
          this.inAppSynthesis = false;
        }
      };
    }
    this.addStep(Stage.CLEAN_UP, (run) => {
      for (const [obj, json] of run.manifests) {
        if (CLUSTER_SCOPED_KINDS.has(json?.kind)) run.manifests.set(obj, clusterScoped(json));
      }
    });
  }

  /** Adds a per-object transform to a stage. The next synthesis runs it. */
  public addTransform(obj: ApiObject, stage: Stage, transform: Transform): void {
    this.track(obj);
    const list = this.transforms.get(stage) ?? [];
    list.push({ obj, transform });
    this.transforms.set(stage, list);
    this.invalidate();
  }

  /** Adds app-wide work to a stage, once per app (callers keep their own "installed" flag). */
  public addStep(stage: Stage, step: AppStep): void {
    this.steps.set(stage, [...(this.steps.get(stage) ?? []), step]);
    this.invalidate();
  }

  /** Forgets the current result: something that changes the output was called. */
  public invalidate(): void {
    if (this.running) throw new Error('cdk8s-superlatch: the app changed while its synthesis pipeline was running (a Lazy value that calls the library?). Fix: make those calls before synthesis');
    this.current = undefined;
  }

  /** The result of this synthesis: runs the pipeline if it has not run since the last change. */
  public result(): PipelineRun {
    if (this.running) throw new Error('cdk8s-superlatch: the final manifests were asked for while the synthesis pipeline was running (a Lazy value that reads other objects?). Fix: read them after synthesis, or use FalcoRules, which runs in the pipeline');
    if (this.current) return this.current;
    this.running = true;
    try {
      this.current = this.run();
    } finally {
      this.running = false;
    }
    const run = this.current;
    // A direct `toJson()` after this synchronous job sees later changes too.
    queueMicrotask(() => {
      if (this.current === run) this.current = undefined;
    });
    return run;
  }

  /** The final manifest of `obj` in this synthesis. */
  public manifestOf(obj: ApiObject): any {
    let run = this.result();
    if (!run.manifests.has(obj)) {
      // created after the run started (a new object between two calls): run again
      this.current = undefined;
      run = this.result();
    }
    return run.manifests.get(obj);
  }

  private run(): PipelineRun {
    const run = new PipelineRun((obj) => this.rawRender(obj));
    for (const c of this.root.node.findAll()) {
      if (!ApiObject.isApiObject(c)) continue;
      const supplied = this.supplied.get(c);
      if (supplied) run.put(c, supplied());
      else run.add(c);
    }
    for (const stage of STAGES) {
      run.nextStage();
      for (const step of this.steps.get(stage) ?? []) step(run);
      for (const { obj, transform } of this.transforms.get(stage) ?? []) {
        if (!run.manifests.has(obj)) continue; // removed from the tree
        try {
          run.manifests.set(obj, transform(run.manifests.get(obj), run));
        } catch (e) {
          run.error(obj, (e as Error).message);
        }
      }
    }
    return run;
  }

  /**
   * `obj`'s manifest is computed whole by a stage in every run (a derived
   * ServiceAccount or budget), which sets it with `PipelineRun.put`: the run
   * does not render it with cdk8s (the rendering would be thrown away), and
   * until that stage it holds `placeholder()`.
   */
  public supply(obj: ApiObject, placeholder: () => any): void {
    this.track(obj);
    this.supplied.set(obj, placeholder);
  }

  /** From now on `obj.toJson()` returns its final manifest (cdk8s's own rendering is the first step). */
  public track(obj: ApiObject): () => any {
    let raw = this.renderRaw.get(obj);
    if (!raw) {
      raw = obj.toJson.bind(obj);
      this.renderRaw.set(obj, raw);
      (obj as any).toJson = () => this.manifestOf(obj) ?? raw!();
    }
    return raw;
  }

  private rawRender(obj: ApiObject): any {
    return this.track(obj)();
  }
}
