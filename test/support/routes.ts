import { ModulesContainer } from '@nestjs/core';
import { GATEWAY_METADATA, MESSAGE_METADATA } from '@nestjs/websockets/constants.js';
import type { TestApp } from './test-app.js';

/** One operation of the running app's OpenAPI document. */
export interface ApiRoute {
  /** `GET`, `POST`, … */
  method: string;
  /** The template under /api/v1, as the document names it: `/chats/{id}/messages/{messageId}`. */
  path: string;
  /** `METHOD path`, the key route tables use. */
  key: string;
  tags: string[];
  /** The path parameters, in the order the template names them. */
  params: string[];
  /** False for `@Public()` routes (their operation answers `security: [{}]`); true when the document's default applies. */
  authenticated: boolean;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { tags?: string[]; security?: Array<Record<string, string[]>> }>>;
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

/**
 * Every route the app's router serves under /api/v1, read from the OpenAPI document it builds from the controllers
 * (so a new controller method is listed here without anyone writing it down).
 */
export async function apiRoutes(t: TestApp): Promise<ApiRoute[]> {
  const res = await fetch(`${t.url}/api/docs-json`);
  if (res.status !== 200) throw new Error(`GET /api/docs-json answered ${res.status}`);
  const doc = (await res.json()) as OpenApiDocument;
  const routes: ApiRoute[] = [];
  for (const [fullPath, operations] of Object.entries(doc.paths)) {
    if (!fullPath.startsWith('/api/v1/')) continue;
    const path = fullPath.slice('/api/v1'.length);
    const params = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries(operations)) {
      if (!METHODS.has(method)) continue;
      const authenticated = !op.security || !op.security.some((requirement) => Object.keys(requirement).length === 0);
      const m = method.toUpperCase();
      routes.push({ method: m, path, key: `${m} ${path}`, tags: op.tags ?? [], params, authenticated });
    }
  }
  return routes;
}

/** `template` with each `{param}` replaced by `values[param]` (URL-encoded); throws when one is missing. */
export function fillPath(template: string, values: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${template}`);
    return encodeURIComponent(value);
  });
}

interface ExpressLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/**
 * The `METHOD /template` of every route the HTTP router itself serves under /api/v1 (Express's route table, parameters
 * written as the OpenAPI document writes them): what a route hidden from the document would still show up in.
 */
export function routerRouteKeys(t: TestApp): string[] {
  const express = t.app.getHttpAdapter().getInstance() as { router?: { stack: ExpressLayer[] } };
  const keys = new Set<string>();
  for (const layer of express.router?.stack ?? []) {
    if (!layer.route?.path.startsWith('/api/v1/')) continue;
    const path = layer.route.path.slice('/api/v1'.length).replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    for (const method of Object.keys(layer.route.methods)) keys.add(`${method.toUpperCase()} ${path}`);
  }
  return [...keys];
}

/**
 * Every socket.io event a gateway of the running app handles (`@SubscribeMessage`), read from Nest's own metadata:
 * the socket counterpart of the route table.
 */
export function socketEvents(t: TestApp): string[] {
  const events = new Set<string>();
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.providers.values()) {
      const instance = wrapper.instance as object | undefined;
      if (!instance || typeof instance !== 'object' || !Reflect.getMetadata(GATEWAY_METADATA, instance.constructor)) continue;
      const proto = Object.getPrototypeOf(instance) as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        const event: unknown = typeof handler === 'function' ? Reflect.getMetadata(MESSAGE_METADATA, handler) : undefined;
        if (typeof event === 'string') events.add(event);
      }
    }
  }
  return [...events];
}
