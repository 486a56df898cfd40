/**
 * The cdk8s app that `cdk8s synth` runs in the plugin test: the manifests in the
 * JSON file named by the first argument, as one chart. cdk8s-cli chooses the
 * output folder and asks for construct metadata through the environment
 * (CDK8S_OUTDIR, CDK8S_RECORD_CONSTRUCT_METADATA), which `new App()` reads.
 */
import * as fs from 'fs';
import { App } from 'cdk8s';
import { chartOf } from './charts';

const app = new App();
chartOf(JSON.parse(fs.readFileSync(process.argv[2], 'utf-8')), app);
app.synth();
