import { jsonPath, pathSegments } from '../../../src/rules/internal/manifests';

test('pathSegments reads back the keys and indices jsonPath writes, quoted keys included', () => {
  const segments = ['spec', 'template', 'metadata', 'annotations', "container.apparmor.security.beta.kubernetes.io/it's", 'x', 0, 'y', 12];
  const written = jsonPath('', ...segments);
  expect(written).toBe("spec.template.metadata.annotations['container.apparmor.security.beta.kubernetes.io/it\\'s'].x[0].y[12]");
  expect(pathSegments(written)).toEqual(segments);
});

test('pathSegments stops at what jsonPath never writes', () => {
  expect(pathSegments('')).toEqual([]);
  expect(pathSegments('spec.containers[*].image')).toEqual(['spec', 'containers']);
});
