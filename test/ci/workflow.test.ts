// The pull-request workflow, parsed: tests first, then a preview per example stack with the policy
// pack, commented on the pull request, after an OIDC login; each stack it names exists here.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '../..');

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string | boolean>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  strategy?: { matrix: { include: { target: string; stack: string; 'work-dir': string }[] } };
  steps: Step[];
}

const workflow = parse(readFileSync(join(ROOT, '.github/workflows/preview.yml'), 'utf8')) as {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
};
const { test: testJob, preview } = workflow.jobs;

/** Index of the first step that uses an action (by name, any version) or runs a command. */
const indexOf = (steps: Step[], what: { uses?: string; run?: string }) =>
  steps.findIndex((s) => (what.uses ? s.uses?.split('@')[0] === what.uses : s.run?.trim() === what.run));
const stepUsing = (steps: Step[], action: string) => steps[indexOf(steps, { uses: action })];

/** Node set up at 22, then the program's and the policy pack's packages installed, in that order. */
function expectNodeAndPackages(steps: Step[]): void {
  const order = [
    indexOf(steps, { uses: 'actions/checkout' }),
    indexOf(steps, { uses: 'actions/setup-node' }),
    indexOf(steps, { run: 'npm ci' }),
    indexOf(steps, { run: 'npm ci --prefix policy' }),
  ];
  expect(order.every((i) => i >= 0)).toBe(true);
  expect([...order].sort((a, b) => a - b)).toEqual(order);
  expect(String(stepUsing(steps, 'actions/setup-node').with?.['node-version'])).toBe('22');
}

describe('.github/workflows/preview.yml', () => {
  it('runs on pull requests with read-only defaults', () => {
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it("runs the project's tests after installing both packages", () => {
    const steps = testJob.steps;
    expectNodeAndPackages(steps);
    const tests = indexOf(steps, { run: 'npm test' });
    expect(tests).toBeGreaterThan(indexOf(steps, { run: 'npm ci --prefix policy' }));
    expect(indexOf(steps, { run: 'npm run typecheck' })).toBeGreaterThan(0);
  });

  it('previews only after the tests pass, never for a fork, with an OIDC token and the right to comment', () => {
    expect(preview.needs).toBe('test');
    expect(preview.if).toBe('github.event.pull_request.head.repo.full_name == github.repository');
    expect(preview.permissions).toEqual({ 'id-token': 'write', contents: 'read', 'pull-requests': 'write' });
  });

  it('logs in to Pulumi Cloud with pulumi/auth-actions v2, then previews with pulumi/actions v7', () => {
    const steps = preview.steps;
    expectNodeAndPackages(steps);
    const auth = stepUsing(steps, 'pulumi/auth-actions');
    expect(auth.uses).toBe('pulumi/auth-actions@v2');
    expect(auth.with).toMatchObject({ organization: expect.any(String), 'requested-token-type': 'urn:pulumi:token-type:access_token:organization' });
    const run = stepUsing(steps, 'pulumi/actions');
    expect(run.uses).toBe('pulumi/actions@v7');
    expect(run.with).toMatchObject({
      command: 'preview',
      'stack-name': expect.stringMatching(/\$\{\{ matrix\.stack \}\}$/),
      'work-dir': '${{ matrix.work-dir }}',
      'comment-on-pr': true,
    });
    expect(indexOf(steps, { uses: 'pulumi/actions' })).toBeGreaterThan(indexOf(steps, { uses: 'pulumi/auth-actions' }));
    expect(indexOf(steps, { uses: 'pulumi/auth-actions' })).toBeGreaterThan(indexOf(steps, { run: 'npm ci --prefix policy' }));
  });

  it('passes the policy pack in policy/', () => {
    const packs = String(stepUsing(preview.steps, 'pulumi/actions').with?.policyPacks);
    expect(packs).toMatch(/^(\.\/|\$\{\{ github\.workspace \}\}\/)policy$/);
    expect(existsSync(join(ROOT, 'policy/PulumiPolicy.yaml'))).toBe(true);
  });

  it('previews the Docker and the AWS example stacks, each a stack of a Pulumi project here', () => {
    const stacks = preview.strategy!.matrix.include;
    expect(stacks.map((s) => s.target).sort()).toEqual(['aws', 'docker']);
    for (const { stack, 'work-dir': dir } of stacks) {
      expect([stack, existsSync(join(ROOT, dir, 'Pulumi.yaml'))]).toEqual([stack, true]);
      const settings = parse(readFileSync(join(ROOT, dir, `Pulumi.${stack}.yaml`), 'utf8')) as { config: Record<string, unknown> };
      const target = Object.entries(settings.config).find(([key]) => key.endsWith(':target'));
      expect([stack, target?.[1]]).toEqual([stack, stacks.find((s) => s.stack === stack)!.target]);
    }
  });

  it('gets AWS credentials by OIDC for the AWS stack only', () => {
    const aws = stepUsing(preview.steps, 'aws-actions/configure-aws-credentials');
    expect(aws.if).toBe("matrix.target == 'aws'");
    expect(aws.with).toMatchObject({ 'role-to-assume': expect.stringContaining('vars.') });
  });

  it('pins every action to a major version', () => {
    const uses = Object.values(workflow.jobs).flatMap((job) => job.steps.map((s) => s.uses).filter((u): u is string => !!u));
    for (const action of uses) expect(action).toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
  });
});
