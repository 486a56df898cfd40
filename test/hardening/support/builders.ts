/** Small hand-written manifests for the helpers' own tests. */

/** A Deployment whose selector is its pod labels unless `selector` is given. */
export function deployment(name: string, labels: Record<string, string>, options: { namespace?: string; selector?: any; spec?: any } = {}): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: options.namespace ?? 'apps' },
    spec: {
      selector: options.selector ?? { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'app:1' }], ...options.spec } },
    },
  };
}

export function service(name: string, selector: Record<string, string>, namespace = 'apps'): any {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector, ports: [{ port: 80 }] } };
}

export function networkPolicy(name: string, spec: any, namespace = 'apps'): any {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}
