// The components are a Pulumi package: what `pulumi package add` needs holds mechanically — the
// manifest, a publishable package.json, and args in the shapes Pulumi's component analyzer accepts
// (checked by walking the TypeScript AST, and by running the SDK's own analyzer over the repo).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { parse } from 'yaml';
import { Analyzer } from '@pulumi/pulumi/provider/experimental/analyzer';
import { getPulumiComponents } from '@pulumi/pulumi/provider/experimental/provider';
import * as entry from '../../infra/package';

const root = path.resolve(__dirname, '../..');
const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const COMPONENTS = ['AppFleet', 'Certificate', 'EdgeProxy', 'WebStack'];

test('the repo root is a nodejs plugin whose package.json is publishable and points at the entry point', () => {
  expect(parse(readFileSync(path.join(root, 'PulumiPlugin.yaml'), 'utf8'))).toEqual({ runtime: 'nodejs' });
  expect(packageJson.private).toBeUndefined();
  expect(packageJson.main).toBe('infra/package.ts');
  expect(packageJson.exports['.']).toEqual({ types: './infra/package.ts', default: './dist/package/infra/package.js' });
  expect(packageJson.scripts).toMatchObject({ start: 'node dist/local-stack.js', prepack: 'npm run build:package' });
  expect(packageJson.bin).toEqual({ 'portico-proxy': 'bin/portico-proxy.js' });
});

test('the entry point exports exactly the components, each with the type token portico:index:<Class>', () => {
  const components = getPulumiComponents(entry) as unknown as { name: string; type: string }[];
  expect(components.map((c) => c.name).sort()).toEqual(COMPONENTS);
  for (const c of components) expect(c.type).toBe(`portico:index:${c.name}`);
});

describe('the exported args follow the analyzer\'s rules', () => {
  const program = ts.createProgram([path.join(root, 'infra/package.ts')], { strict: true, skipLibCheck: true, noEmit: true });
  const checker = program.getTypeChecker();
  const entryFile = program.getSourceFile(path.join(root, 'infra/package.ts'))!;
  const exported = checker.getExportsOfModule(checker.getSymbolAtLocation(entryFile)!).map((s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s));
  const classes = exported.filter((s) => s.flags & ts.SymbolFlags.Class && COMPONENTS.includes(s.name));

  test.each(COMPONENTS)('%s has one constructor whose parameter `args` is an interface', (name) => {
    const decl = classes.find((c) => c.name === name)!.valueDeclaration as ts.ClassDeclaration;
    const ctors = decl.members.filter(ts.isConstructorDeclaration);
    expect(ctors).toHaveLength(1);
    const args = ctors[0].parameters.find((p) => p.name.getText() === 'args');
    expect(args?.type && ts.isTypeReferenceNode(args.type)).toBe(true);
    const symbol = checker.getTypeAtLocation(args!.type!).getSymbol()!;
    expect(symbol.flags & ts.SymbolFlags.Interface).toBeTruthy();
  });

  test('no arg type (nor any interface it reaches) has a union besides `| undefined`, an intersection or a function', () => {
    const problems: string[] = [];
    const seen = new Set<ts.Symbol>();
    const visitInterface = (symbol: ts.Symbol) => {
      if (seen.has(symbol)) return;
      seen.add(symbol);
      for (const decl of symbol.declarations ?? []) {
        if (!ts.isInterfaceDeclaration(decl)) continue;
        for (const clause of decl.heritageClauses ?? []) for (const t of clause.types) visitInterface(checker.getSymbolAtLocation(t.expression)!);
        for (const member of decl.members) {
          const where = `${symbol.name}.${member.name?.getText() ?? '[index]'}`;
          if (ts.isMethodSignature(member)) problems.push(`${where}: a method`);
          if (ts.isIndexSignatureDeclaration(member)) problems.push(`${where}: an index signature (the analyzer reads it as an empty object; use Record)`);
          if (ts.isPropertySignature(member) && member.type) visitType(where, member.type);
        }
      }
    };
    const visitType = (where: string, node: ts.TypeNode): void => {
      if (ts.isUnionTypeNode(node)) {
        const rest = node.types.filter((t) => t.kind !== ts.SyntaxKind.UndefinedKeyword);
        if (rest.length !== 1) problems.push(`${where}: a union ${node.getText()}`);
      }
      if (ts.isIntersectionTypeNode(node)) problems.push(`${where}: an intersection ${node.getText()}`);
      if (ts.isFunctionTypeNode(node) || ts.isConstructorTypeNode(node)) problems.push(`${where}: a function ${node.getText()}`);
      if (ts.isTypeReferenceNode(node)) {
        const symbol = checker.getSymbolAtLocation(node.typeName);
        const target = symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
        const own = target?.declarations?.some((d) => d.getSourceFile().fileName.startsWith(path.join(root, 'infra')));
        if (target && own) {
          if (target.flags & ts.SymbolFlags.Interface) visitInterface(target);
          else problems.push(`${where}: ${target.name} is not an interface`);
        }
      }
      node.forEachChild((child) => {
        if (ts.isTypeNode(child)) visitType(where, child);
      });
    };
    for (const c of classes) {
      const ctor = (c.valueDeclaration as ts.ClassDeclaration).members.find(ts.isConstructorDeclaration)!;
      const args = ctor.parameters.find((p) => p.name.getText() === 'args')!;
      visitInterface(checker.getTypeAtLocation(args.type!).getSymbol()!);
    }
    expect(seen.size).toBeGreaterThanOrEqual(10);
    expect(problems).toEqual([]);
  });
});

test('Pulumi\'s own component analyzer turns the package into a schema', () => {
  const analyzer = new Analyzer(root, 'portico', packageJson, new Set(COMPONENTS));
  const { components, typeDefinitions } = analyzer.analyze();
  expect(Object.keys(components).sort()).toEqual(COMPONENTS);
  expect(Object.keys(typeDefinitions).sort()).toEqual(['AppArgs', 'AppBuildArgs', 'AwsArgs', 'AwsDnsArgs', 'AwsTlsArgs', 'ProxyImageArgs']);
  expect(components.WebStack.inputs.aws).toMatchObject({ $ref: '#/types/portico:index:AwsArgs', optional: true });
  expect(typeDefinitions.AwsArgs.properties!.subnetIds).toMatchObject({ type: 'array', items: { type: 'string' } });
  expect(typeDefinitions.AwsTlsArgs.properties!.mode).toMatchObject({ type: 'string' });
  expect(components.WebStack.inputs.app).toMatchObject({ $ref: '#/types/portico:index:AppArgs' });
  expect(components.WebStack.inputs.sticky).toMatchObject({ type: 'boolean', optional: true });
  expect(typeDefinitions.AppArgs.properties!.secretEnv).toMatchObject({ type: 'object', additionalProperties: { type: 'string' } });
  expect(Object.keys(components.WebStack.outputs)).toEqual(expect.arrayContaining(['urls', 'proxyUrl', 'dashboardUrl', 'dashboardCommand', 'appVmIds']));
}, 60_000);
