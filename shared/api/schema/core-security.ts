/**
 * Schemas of the security settings of pods and containers: SecurityContext,
 * PodSecurityContext, Linux capabilities, SELinux, seccomp, AppArmor, Windows options and sysctls.
 * Fields present on both levels mean the same thing; the container's value wins.
 *
 * Data only; imports only ./dsl.
 */
import { CORE, atomicList, bool, int64, obj, ref, string, type ObjectDef } from './dsl.js';

const PROFILE_TYPES = ['Localhost', 'RuntimeDefault', 'Unconfined'] as const;

export const securityContext = obj(`${CORE}SecurityContext`, 'Security options of one container, overriding the pod security context where both set a value.', {
  capabilities: ref(`${CORE}Capabilities`, 'Linux capabilities to add to or drop from the runtime default set.'),
  privileged: bool('Run as privileged: root on the host in all but name. Defaults to false.'),
  seLinuxOptions: ref(`${CORE}SELinuxOptions`, 'SELinux context for the container; a random one by default.'),
  windowsOptions: ref(`${CORE}WindowsSecurityContextOptions`, 'Settings that only apply on Windows nodes.'),
  runAsUser: int64("UID to run the entrypoint as; the image's user by default."),
  runAsGroup: int64("GID to run the entrypoint as; the runtime's default when unset."),
  runAsNonRoot: bool('Refuse to start the container if it would run as UID 0.'),
  readOnlyRootFilesystem: bool("Mount the container's root filesystem read-only."),
  allowPrivilegeEscalation: bool('Whether a process may gain more privileges than its parent (the no_new_privs flag). Always true when privileged or with CAP_SYS_ADMIN.'),
  procMount: string('Which /proc masking to use; Default keeps the runtime defaults.', { enum: ['Default', 'Unmasked'] }),
  seccompProfile: ref(`${CORE}SeccompProfile`, 'The seccomp filter for the container.'),
  appArmorProfile: ref(`${CORE}AppArmorProfile`, 'The AppArmor profile for the container.'),
});

export const podSecurityContext = obj(`${CORE}PodSecurityContext`, 'Security options for every container of a pod, and for the volumes it mounts.', {
  seLinuxOptions: ref(`${CORE}SELinuxOptions`, 'SELinux context applied to all containers.'),
  windowsOptions: ref(`${CORE}WindowsSecurityContextOptions`, 'Settings that only apply on Windows nodes.'),
  runAsUser: int64('UID for the entrypoint of every container.'),
  runAsGroup: int64('GID for the entrypoint of every container.'),
  runAsNonRoot: bool('Refuse to start any container that would run as UID 0.'),
  supplementalGroups: atomicList(int64(), 'Extra GIDs given to the first process of every container.'),
  supplementalGroupsPolicy: string('Whether the groups from the image are merged with the supplemental groups or ignored.', { enum: ['Merge', 'Strict'] }),
  fsGroup: int64('A GID that owns supported volumes and is added to every container; new files are created with it.'),
  sysctls: atomicList(ref(`${CORE}Sysctl`), 'Namespaced kernel parameters set for the pod.'),
  fsGroupChangePolicy: string('When volume ownership is changed to fsGroup: always, or only when the root of the volume does not match.', {
    enum: ['Always', 'OnRootMismatch'],
  }),
  seccompProfile: ref(`${CORE}SeccompProfile`, 'The seccomp filter for every container.'),
  appArmorProfile: ref(`${CORE}AppArmorProfile`, 'The AppArmor profile for every container.'),
  seLinuxChangePolicy: string('How SELinux labels are applied to volumes: relabel every file, or use a mount option.', {
    enum: ['MountOption', 'Recursive'],
  }),
});

export const capabilities = obj(`${CORE}Capabilities`, 'Linux capabilities to add and drop.', {
  add: atomicList(string(), 'Capabilities to add, such as NET_ADMIN.'),
  drop: atomicList(string(), 'Capabilities to remove, such as ALL.'),
});

export const seLinuxOptions = obj(`${CORE}SELinuxOptions`, 'An SELinux label.', {
  user: string('SELinux user.'),
  role: string('SELinux role.'),
  type: string('SELinux type.'),
  level: string('SELinux level.'),
});

export const windowsSecurityContextOptions = obj(`${CORE}WindowsSecurityContextOptions`, 'Windows-specific security options.', {
  gmsaCredentialSpecName: string('Name of the GMSA credential spec to use.'),
  gmsaCredentialSpec: string('Contents of the GMSA credential spec.'),
  runAsUserName: string('User name to run the entrypoint as.'),
  hostProcess: bool('Run as a Windows host process container.'),
});

export const seccompProfile = obj(
  `${CORE}SeccompProfile`,
  'A seccomp profile; exactly one source must be chosen.',
  {
    type: string('Which profile: a file on the node, the runtime default, or none.', { enum: PROFILE_TYPES }),
    localhostProfile: string('Path of the profile file relative to the kubelet seccomp directory; only with type Localhost.'),
  },
  { required: ['type'] },
);

export const appArmorProfile = obj(
  `${CORE}AppArmorProfile`,
  'An AppArmor profile.',
  {
    type: string('Which profile: one loaded on the node, the runtime default, or none.', { enum: PROFILE_TYPES }),
    localhostProfile: string('Name of a profile loaded on the node; only with type Localhost.'),
  },
  { required: ['type'] },
);

export const sysctl = obj(
  `${CORE}Sysctl`,
  'One kernel parameter.',
  {
    name: string('Parameter name.'),
    value: string('Parameter value.'),
  },
  { required: ['name', 'value'] },
);

export const securityDefinitions: readonly ObjectDef[] = [
  securityContext,
  podSecurityContext,
  capabilities,
  seLinuxOptions,
  windowsSecurityContextOptions,
  seccompProfile,
  appArmorProfile,
  sysctl,
];
