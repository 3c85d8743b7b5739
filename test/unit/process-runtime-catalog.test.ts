/**
 * The process runtime's image catalog (reference grammar, which image runs what, pull errors in
 * containerd's words) and Kubernetes' command/args/env rules.
 */
import { describe, expect, it } from 'vitest';
import { InvalidImageNameError, parseReference, resolveImage } from '../../services/kubelet/runtime/process/catalog.js';
import { containerArgv, imageEnv } from '../../services/kubelet/runtime/process/command.js';
import type { ProgramLocator } from '../../services/kubelet/runtime/process/programs.js';
import { ImagePullError } from '../../services/kubelet/runtime/runtime.js';

const programs: ProgramLocator = { argv: (p) => ['/node', `/images/${p}.js`] };

describe('image references', () => {
  it.each([
    ['nginx', 'docker.io', 'library/nginx', 'docker.io/library/nginx:latest'],
    ['luksa/kubia:v1', 'docker.io', 'luksa/kubia', 'docker.io/luksa/kubia:v1'],
    ['docker.io/luksa/kubia:latest', 'docker.io', 'luksa/kubia', 'docker.io/luksa/kubia:latest'],
    ['registry.k8s.io/pause:3.9', 'registry.k8s.io', 'pause', 'registry.k8s.io/pause:3.9'],
    ['localhost:5000/team/app', 'localhost:5000', 'team/app', 'localhost:5000/team/app:latest'],
    ['busybox@sha256:0123456789abcdef0123456789abcdef', 'docker.io', 'library/busybox', 'docker.io/library/busybox@sha256:0123456789abcdef0123456789abcdef'],
  ])('%s is %s / %s', (image, domain, path, full) => {
    expect(parseReference(image)).toMatchObject({ domain, path, full });
  });

  it('refuses malformed references as InvalidImageName', () => {
    for (const bad of ['', ' nginx', 'Nginx', 'nginx:', 'a//b', 'nginx:bad tag']) {
      expect(() => parseReference(bad)).toThrow(InvalidImageNameError);
    }
    expect(() => resolveImage('Kubia')).toThrow('invalid reference format: repository name must be lowercase');
  });
});

describe('the built-in catalog', () => {
  it.each([
    ['luksa/kubia', 'kubia'],
    ['luksa/kubia:v1', 'kubia'],
    ['docker.io/luksa/kubia:latest', 'kubia'],
    ['kubia', 'kubia'],
    ['luksa/kubia-unhealthy', 'kubia'],
    ['nginx', 'web-server'],
    ['nginx:1.25-alpine', 'web-server'],
    ['httpd:2.4', 'web-server'],
    ['kubemu/cpu-burner', 'cpu-burner'],
    ['k8s.gcr.io/hpa-example', 'cpu-burner'],
    ['registry.k8s.io/hpa-example', 'cpu-burner'],
    ['kubemu/crasher', 'crasher'],
  ])('%s runs the %s program', (image, program) => {
    expect(resolveImage(image).program).toBe(program);
  });

  it('maps the shell images to the real sh, with sh as the default command', () => {
    for (const image of ['busybox', 'busybox:1.36', 'alpine', 'ubuntu:22.04', 'debian']) {
      expect(resolveImage(image)).toMatchObject({ entrypoint: [], cmd: ['sh'] });
      expect(resolveImage(image).program).toBeUndefined();
    }
  });

  it('runs pause as a shell that sleeps until TERM', () => {
    const pause = resolveImage('registry.k8s.io/pause:3.9');
    expect(pause.entrypoint.slice(0, 2)).toEqual(['sh', '-c']);
    expect(resolveImage('k8s.gcr.io/pause').entrypoint).toEqual(pause.entrypoint);
  });

  it('chooses kubia variants by tag and image', () => {
    expect(resolveImage('luksa/kubia').env.KUBIA_VARIANT).toBeUndefined();
    expect(resolveImage('luksa/kubia:v2').env.KUBIA_VARIANT).toBe('v2');
    expect(resolveImage('luksa/kubia:v3').env.KUBIA_VARIANT).toBe('v3');
    expect(resolveImage('luksa/kubia-unhealthy').env.KUBIA_VARIANT).toBe('unhealthy');
    expect(resolveImage('httpd').env.WEB_ROOT).toBe('/usr/local/apache2/htdocs');
  });

  it('gives stable image IDs per reference, digests kept as given', () => {
    const a = resolveImage('luksa/kubia').imageID;
    expect(a).toMatch(/^docker\.io\/luksa\/kubia@sha256:[0-9a-f]{64}$/);
    expect(resolveImage('docker.io/luksa/kubia:latest').imageID).toBe(a);
    expect(resolveImage('luksa/kubia:v2').imageID).not.toBe(a);
    expect(resolveImage('busybox@sha256:0123456789abcdef0123456789abcdef').imageID).toBe('docker.io/library/busybox@sha256:0123456789abcdef0123456789abcdef');
  });

  it("fails unknown images with containerd's NotFound message", () => {
    let err: unknown;
    try {
      resolveImage('nope');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ImagePullError);
    expect((err as ImagePullError).image).toBe('nope');
    expect((err as Error).message).toBe(
      'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nope:latest": failed to resolve reference "docker.io/library/nope:latest": docker.io/library/nope:latest: not found',
    );
  });
});

describe('command, args and environment', () => {
  const kubia = resolveImage('luksa/kubia');
  const busybox = resolveImage('busybox');

  it('runs the entrypoint and cmd when neither command nor args is given', () => {
    expect(containerArgv(kubia, programs, {})).toEqual(['/node', '/images/kubia.js']);
    expect(containerArgv(busybox, programs, {})).toEqual(['sh']);
  });

  it('replaces the entrypoint with command (dropping cmd) and cmd with args', () => {
    expect(containerArgv(busybox, programs, { command: ['sleep', '5'] })).toEqual(['sleep', '5']);
    expect(containerArgv(kubia, programs, { args: ['--flag'] })).toEqual(['/node', '/images/kubia.js', '--flag']);
    expect(containerArgv(busybox, programs, { command: ['sh', '-c'], args: ['date'] })).toEqual(['sh', '-c', 'date']);
  });

  it('takes command and args literally ($(VAR) is the kubelet\'s to expand)', () => {
    expect(containerArgv(busybox, programs, { command: ['echo', '$(MSG)', '$$'] })).toEqual(['echo', '$(MSG)', '$$']);
  });

  it("starts from the image's environment with node on PATH; the container's env wins", () => {
    const env = imageEnv(resolveImage('luksa/kubia:v2'), '/opt/node/bin/node');
    expect(env.PATH?.split(':')[0]).toBe('/opt/node/bin');
    expect(env).toMatchObject({ HOME: '/root', KUBIA_VARIANT: 'v2' });
  });
});
