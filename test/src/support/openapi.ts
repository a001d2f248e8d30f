/**
 * Validating an OpenAPI 3.1 document against the specification's schema with an independent validator
 * (the Python `openapi-spec-validator` package, OpenAPIV31SpecValidator), not with the gateway's own code.
 */
import { spawnSync } from 'node:child_process';

const SCRIPT = `
import json, sys
try:
    from openapi_spec_validator.validation import OpenAPIV31SpecValidator
except ImportError:
    print(json.dumps({"missing": True})); sys.exit(0)
spec = json.load(sys.stdin)
errors = [f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message[:300]}" for e in OpenAPIV31SpecValidator(spec).iter_errors()]
print(json.dumps({"errors": errors[:50]}))
`;

/** The document's violations of OpenAPI 3.1 (empty when valid). */
export function openApi31Errors(doc: unknown): string[] {
  const out = spawnSync('python3', ['-c', SCRIPT], { input: JSON.stringify(doc), encoding: 'utf8', timeout: 120000 });
  if (out.status !== 0) throw new Error(`openapi-spec-validator failed: ${out.stderr || out.error?.message}`);
  const parsed = JSON.parse(out.stdout) as { missing?: boolean; errors?: string[] };
  if (parsed.missing) throw new Error('the Python package openapi-spec-validator is needed: pip install openapi-spec-validator');
  return parsed.errors ?? [];
}
