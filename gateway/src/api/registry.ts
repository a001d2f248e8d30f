import { Router, Request, Response } from 'express';
import { ChaincodeMeta } from './metadata';
import { buildOpenApi } from './openapi';
import { API_PREFIX, buildRouteTable, RouteSpec } from './routes';
import { RouteValidator } from './validation';

/**
 * The live API derived from metadata: route table, compiled validators, Express router, OpenAPI.
 * Swappable at run time, so the gateway can start before a chaincode is deployed and pick its
 * metadata up when it appears.
 */
export class ApiRegistry {
  routes: RouteSpec[] = [];
  openapi: Record<string, unknown>;
  readonly validator = new RouteValidator();
  private router: Router = Router();
  readonly chaincodes = new Map<string, ChaincodeMeta>();

  constructor(
    private readonly serverUrl: string,
    private readonly version: string,
    private readonly handlerFor: (route: RouteSpec) => (req: Request, res: Response) => Promise<void>,
  ) {
    this.openapi = buildOpenApi([], { version, serverUrl });
  }

  set(meta: ChaincodeMeta): void {
    this.chaincodes.set(meta.chaincode, meta);
    this.rebuild();
  }

  private rebuild(): void {
    const routes = buildRouteTable([...this.chaincodes.values()].sort((a, b) => a.chaincode.localeCompare(b.chaincode)));
    // One router per chaincode, mounted at its name: a request is matched against its chaincode's
    // routes only, not every route of the city (Express tries a router's routes one by one).
    const router = Router();
    const byChaincode = new Map<string, Router>();
    for (const r of routes) {
      this.validator.compile(r);
      let sub = byChaincode.get(r.chaincode);
      if (!sub) {
        sub = Router({ mergeParams: true });
        byChaincode.set(r.chaincode, sub);
        router.use(`/${r.chaincode}`, sub);
      }
      // Mounted under /api/v1/<chaincode> (the app mounts this router under /api/v1).
      sub[r.method](r.path.slice(`${API_PREFIX}/${r.chaincode}`.length), this.handlerFor(r));
    }
    this.routes = routes;
    this.router = router;
    this.openapi = buildOpenApi(routes, { version: this.version, serverUrl: this.serverUrl });
  }

  /** Middleware delegating to the current router. */
  handler() {
    return (req: Request, res: Response, next: (err?: unknown) => void) => this.router(req, res, next);
  }
}
