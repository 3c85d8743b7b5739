/**
 * Schemas of pod volumes: Volume (whose source fields sit directly on it, as Kubernetes inlines
 * VolumeSource) and the sources a pod on kubemu can really use — emptyDir, hostPath, configMap,
 * secret, persistentVolumeClaim, downwardAPI, projected (with its projections), ephemeral, csi,
 * image — plus KeyToPath and the PVC template types. The in-tree network and cloud sources are in
 * core-volume-legacy.ts; both lists together are every source Kubernetes 1.32 accepts, so none
 * is pruned away.
 *
 * Data only; imports only ./dsl and ./core-volume-legacy.
 */
import { CORE, LABEL_SELECTOR, OBJECT_META, atomicList, bool, int, int64, map, obj, quantity, ref, string, type ObjectDef } from './dsl.js';
import { legacyVolumeSourceFields } from './core-volume-legacy.js';

export const volume = obj(
  `${CORE}Volume`,
  'A named volume of a pod that its containers can mount. Exactly one source field must be set.',
  {
    name: string('Name of the volume, a DNS label unique within the pod; volume mounts refer to it.'),
    hostPath: ref(`${CORE}HostPathVolumeSource`, "A file or directory of the node's filesystem. Mostly for system agents; pods using it are tied to node contents."),
    emptyDir: ref(`${CORE}EmptyDirVolumeSource`, 'A scratch directory created empty when the pod starts and removed with the pod; shared by its containers.'),
    secret: ref(`${CORE}SecretVolumeSource`, 'Files made from the keys of a Secret.'),
    persistentVolumeClaim: ref(`${CORE}PersistentVolumeClaimVolumeSource`, 'A PersistentVolumeClaim in the same namespace.'),
    downwardAPI: ref(`${CORE}DownwardAPIVolumeSource`, 'Files holding fields of the pod itself.'),
    configMap: ref(`${CORE}ConfigMapVolumeSource`, 'Files made from the keys of a ConfigMap.'),
    projected: ref(`${CORE}ProjectedVolumeSource`, 'Several secret, configMap, downwardAPI and token sources merged into one directory.'),
    csi: ref(`${CORE}CSIVolumeSource`, 'An ephemeral volume provided by a CSI driver.'),
    ephemeral: ref(`${CORE}EphemeralVolumeSource`, 'A volume backed by a PVC that is created with the pod and deleted with it.'),
    image: ref(`${CORE}ImageVolumeSource`, 'The read-only contents of an OCI image or artifact.'),
    ...legacyVolumeSourceFields,
  },
  { required: ['name'] },
);

export const hostPathVolumeSource = obj(
  `${CORE}HostPathVolumeSource`,
  'A path on the node.',
  {
    path: string('Path on the node; a symlink is followed to its target.'),
    type: string('What must (or will be made to) exist at the path; empty skips the check.', {
      enum: ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'],
    }),
  },
  { required: ['path'] },
);

export const emptyDirVolumeSource = obj(`${CORE}EmptyDirVolumeSource`, 'A temporary directory that lives as long as the pod.', {
  medium: string('Storage backing the directory: "" for the node default, or "Memory" for a tmpfs.'),
  sizeLimit: quantity('Most local storage the directory may use; memory-backed volumes are also capped by the pod memory limits.'),
});

export const secretVolumeSource = obj(`${CORE}SecretVolumeSource`, 'Files from a Secret, one per key unless items narrows them.', {
  secretName: string('Name of the Secret in the pod namespace.'),
  items: atomicList(ref(`${CORE}KeyToPath`), 'Which keys to project and under which paths; every key when empty. A missing key is an error unless optional.'),
  defaultMode: int('Permission bits of the files, 0000 to 0777 (decimal in JSON). Defaults to 0644.'),
  optional: bool('Allow the Secret or its keys to be missing.'),
});

export const configMapVolumeSource = obj(`${CORE}ConfigMapVolumeSource`, 'Files from a ConfigMap, one per key unless items narrows them.', {
  name: string('Name of the ConfigMap in the pod namespace.'),
  items: atomicList(ref(`${CORE}KeyToPath`), 'Which keys to project and under which paths; every key when empty. A missing key is an error unless optional.'),
  defaultMode: int('Permission bits of the files, 0000 to 0777 (decimal in JSON). Defaults to 0644.'),
  optional: bool('Allow the ConfigMap or its keys to be missing.'),
});

export const keyToPath = obj(
  `${CORE}KeyToPath`,
  'Maps one key to a file path inside the volume.',
  {
    key: string('The key to project.'),
    path: string("Relative file path for the key; must not contain '..' or start with it."),
    mode: int('Permission bits of this file, 0000 to 0777; the volume default when unset.'),
  },
  { required: ['key', 'path'] },
);

export const persistentVolumeClaimVolumeSource = obj(
  `${CORE}PersistentVolumeClaimVolumeSource`,
  'A reference to a PersistentVolumeClaim in the pod namespace.',
  {
    claimName: string('Name of the claim.'),
    readOnly: bool('Force the mount read-only.'),
  },
  { required: ['claimName'] },
);

export const downwardAPIVolumeSource = obj(`${CORE}DownwardAPIVolumeSource`, 'Files holding information about the pod.', {
  items: atomicList(ref(`${CORE}DownwardAPIVolumeFile`), 'The files to create.'),
  defaultMode: int('Permission bits of the files, 0000 to 0777. Defaults to 0644.'),
});

export const downwardAPIVolumeFile = obj(
  `${CORE}DownwardAPIVolumeFile`,
  'One file holding a pod field or a container resource value.',
  {
    path: string("Relative file path; must not contain '..' or start with it."),
    fieldRef: ref(`${CORE}ObjectFieldSelector`, 'A pod field: metadata name, namespace, uid, labels or annotations.'),
    resourceFieldRef: ref(`${CORE}ResourceFieldSelector`, 'A container resource limit or request.'),
    mode: int('Permission bits of this file, 0000 to 0777.'),
  },
  { required: ['path'] },
);

export const projectedVolumeSource = obj(`${CORE}ProjectedVolumeSource`, 'Several sources projected into one directory.', {
  sources: atomicList(ref(`${CORE}VolumeProjection`), 'The sources, in order.'),
  defaultMode: int('Permission bits of the files, 0000 to 0777. Defaults to 0644.'),
});

export const volumeProjection = obj(`${CORE}VolumeProjection`, 'One source of a projected volume; exactly one field is set.', {
  secret: ref(`${CORE}SecretProjection`, 'Keys of a Secret.'),
  downwardAPI: ref(`${CORE}DownwardAPIProjection`, 'Fields of the pod.'),
  configMap: ref(`${CORE}ConfigMapProjection`, 'Keys of a ConfigMap.'),
  serviceAccountToken: ref(`${CORE}ServiceAccountTokenProjection`, 'A bound service account token.'),
  clusterTrustBundle: ref(`${CORE}ClusterTrustBundleProjection`, 'Certificates from ClusterTrustBundle objects.'),
});

export const secretProjection = obj(`${CORE}SecretProjection`, 'Keys of a Secret projected into a volume.', {
  name: string('Name of the Secret.'),
  items: atomicList(ref(`${CORE}KeyToPath`), 'Which keys to project and where; every key when empty.'),
  optional: bool('Allow the Secret or its keys to be missing.'),
});

export const configMapProjection = obj(`${CORE}ConfigMapProjection`, 'Keys of a ConfigMap projected into a volume.', {
  name: string('Name of the ConfigMap.'),
  items: atomicList(ref(`${CORE}KeyToPath`), 'Which keys to project and where; every key when empty.'),
  optional: bool('Allow the ConfigMap or its keys to be missing.'),
});

export const downwardAPIProjection = obj(`${CORE}DownwardAPIProjection`, 'Pod fields projected into a volume.', {
  items: atomicList(ref(`${CORE}DownwardAPIVolumeFile`), 'The files to create.'),
});

export const serviceAccountTokenProjection = obj(
  `${CORE}ServiceAccountTokenProjection`,
  'A token for the pod service account, refreshed by the kubelet before it expires.',
  {
    audience: string('Audience the token is meant for; the API server by default.'),
    expirationSeconds: int64('Requested lifetime of the token; at least 600, 3600 by default.'),
    path: string('File path of the token, relative to the mount point.'),
  },
  { required: ['path'] },
);

export const clusterTrustBundleProjection = obj(
  `${CORE}ClusterTrustBundleProjection`,
  'Certificates gathered from ClusterTrustBundles into one file.',
  {
    name: string('A single bundle by name; exclusive with signerName and labelSelector.'),
    signerName: string('Every bundle of this signer (optionally narrowed by labelSelector).'),
    labelSelector: ref(LABEL_SELECTOR, 'Narrows the bundles of signerName by label.'),
    optional: bool('Allow the bundles to be missing (an empty file is written).'),
    path: string('File path relative to the volume root.'),
  },
  { required: ['path'] },
);

export const csiVolumeSource = obj(
  `${CORE}CSIVolumeSource`,
  'An inline ephemeral volume managed by a CSI driver.',
  {
    driver: string('Name of the CSI driver.'),
    readOnly: bool('Mount read-only; read-write by default.'),
    fsType: string('Filesystem type to mount, passed to the driver.'),
    volumeAttributes: map(string(), 'Driver-specific properties.'),
    nodePublishSecretRef: ref(`${CORE}LocalObjectReference`, 'A Secret with sensitive data for the driver.'),
  },
  { required: ['driver'] },
);

export const ephemeralVolumeSource = obj(`${CORE}EphemeralVolumeSource`, 'A volume whose PVC lives and dies with the pod.', {
  volumeClaimTemplate: ref(`${CORE}PersistentVolumeClaimTemplate`, 'Template of the PVC created for the pod, named <pod>-<volume>.'),
});

export const imageVolumeSource = obj(`${CORE}ImageVolumeSource`, 'An OCI image or artifact mounted read-only.', {
  reference: string('Image or artifact reference to pull.'),
  pullPolicy: string('When to pull it: Always, Never, or IfNotPresent.', { enum: ['Always', 'IfNotPresent', 'Never'] }),
});

export const persistentVolumeClaimTemplate = obj(
  `${CORE}PersistentVolumeClaimTemplate`,
  'The PVC an ephemeral volume creates.',
  {
    metadata: ref(OBJECT_META, 'Labels and annotations copied to the PVC.'),
    spec: ref(`${CORE}PersistentVolumeClaimSpec`, 'The PVC spec, copied unchanged.'),
  },
  { required: ['spec'] },
);

export const persistentVolumeClaimSpec = obj(`${CORE}PersistentVolumeClaimSpec`, 'What storage a claim asks for.', {
  accessModes: atomicList(string(), 'Desired access modes, such as ReadWriteOnce.'),
  selector: ref(LABEL_SELECTOR, 'Limits the volumes that may bind to the claim.'),
  resources: ref(`${CORE}VolumeResourceRequirements`, 'Minimum (and optionally maximum) storage.'),
  volumeName: string('Binds to this PersistentVolume by name.'),
  storageClassName: string('StorageClass the claim needs.'),
  volumeMode: string('Filesystem (the default) or Block.', { enum: ['Block', 'Filesystem'] }),
  dataSource: ref(`${CORE}TypedLocalObjectReference`, 'A snapshot or PVC to pre-populate the volume from.'),
  dataSourceRef: ref(`${CORE}TypedObjectReference`, 'Any object (possibly in another namespace) to pre-populate the volume from.'),
  volumeAttributesClassName: string('VolumeAttributesClass the claim uses.'),
});

export const volumeResourceRequirements = obj(`${CORE}VolumeResourceRequirements`, 'Storage resources of a claim.', {
  limits: map(quantity(), 'The most storage allowed.', { goType: 'v1.ResourceList' }),
  requests: map(quantity(), 'The least storage needed.', { goType: 'v1.ResourceList' }),
});

export const typedLocalObjectReference = obj(
  `${CORE}TypedLocalObjectReference`,
  'An object of any kind in the same namespace.',
  {
    apiGroup: string('API group of the kind; the core group when empty.'),
    kind: string('Kind of the object.'),
    name: string('Name of the object.'),
  },
  { required: ['kind', 'name'] },
);

export const typedObjectReference = obj(
  `${CORE}TypedObjectReference`,
  'An object of any kind, possibly in another namespace.',
  {
    apiGroup: string('API group of the kind; the core group when empty.'),
    kind: string('Kind of the object.'),
    name: string('Name of the object.'),
    namespace: string('Namespace of the object; the local one when empty.'),
  },
  { required: ['kind', 'name'] },
);

export const volumeDefinitions: readonly ObjectDef[] = [
  volume,
  hostPathVolumeSource,
  emptyDirVolumeSource,
  secretVolumeSource,
  configMapVolumeSource,
  keyToPath,
  persistentVolumeClaimVolumeSource,
  downwardAPIVolumeSource,
  downwardAPIVolumeFile,
  projectedVolumeSource,
  volumeProjection,
  secretProjection,
  configMapProjection,
  downwardAPIProjection,
  serviceAccountTokenProjection,
  clusterTrustBundleProjection,
  csiVolumeSource,
  ephemeralVolumeSource,
  imageVolumeSource,
  persistentVolumeClaimTemplate,
  persistentVolumeClaimSpec,
  volumeResourceRequirements,
  typedLocalObjectReference,
  typedObjectReference,
];
