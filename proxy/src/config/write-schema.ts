// `npm run schema`: writes proxy/config.schema.json from the TypeBox source. A test fails when stale.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemaJson } from './schema-json';

const target = join(__dirname, '..', '..', 'config.schema.json');
writeFileSync(target, schemaJson());
console.log(`wrote ${target}`);
