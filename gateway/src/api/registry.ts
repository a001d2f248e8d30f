import { Router, Request, Response } from 'express';
import { ChaincodeMeta } from './metadata';
import { buildOpenApi } from './openapi';
import { API_PREFIX, buildRouteTable, firstSegment, RouteSpec } from './routes';
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
  /** Each chaincode's routes, by chaincode name: a request is dispatched by its first path segment. */
  private routers = new Map<string, Router>();
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
    // One router per chaincode, found by name: a request is matched against its chaincode's routes
    // only, not every route of the city (Express tries a router's routes one by one).
    const routers = new Map<string, Router>();
    for (const r of routes) {
      this.validator.compile(r);
      let router = routers.get(r.chaincode);
      if (!router) {
        router = Router();
        routers.set(r.chaincode, router);
      }
      // Relative to /api/v1, where the app mounts this registry's handler.
      router[r.method](r.path.slice(API_PREFIX.length), this.handlerFor(r));
    }
    this.routes = routes;
    this.routers = routers;
    this.openapi = buildOpenApi(routes, { version: this.version, serverUrl: this.serverUrl });
  }

  /** Middleware dispatching to the router of the chaincode a path names (/<chaincode>/...); next() for any other path. */
  handler() {
    return (req: Request, res: Response, next: (err?: unknown) => void) => {
      const router = this.routers.get(firstSegment(req.path));
      if (router) router(req, res, next);
      else next();
    };
  }
}
