/**
 * Schemas of the in-tree network and cloud volume sources (most deprecated in Kubernetes and
 * migrated to CSI drivers). kubemu never mounts them, but a pod naming one must still decode
 * exactly as on a real cluster, so the fields are all here. `legacyVolumeSourceFields` is spread
 * into Volume by core-volume.ts.
 *
 * Data only; imports only ./dsl.
 */
import { CORE, atomicList, bool, int, map, obj, ref, string, type ObjectDef, type Schema } from './dsl.js';

const FS_TYPE = 'Filesystem type to mount, such as ext4 or xfs; ext4 when empty.';
const READ_ONLY = 'Mount read-only.';
const SECRET_REF = 'A Secret holding credentials for the storage.';
const LOCAL_REF = `${CORE}LocalObjectReference`;

export const legacyVolumeSourceFields: Record<string, Schema> = {
  gcePersistentDisk: ref(`${CORE}GCEPersistentDiskVolumeSource`, 'A GCE persistent disk attached to the node. Deprecated.'),
  awsElasticBlockStore: ref(`${CORE}AWSElasticBlockStoreVolumeSource`, 'An AWS EBS disk attached to the node. Deprecated.'),
  gitRepo: ref(`${CORE}GitRepoVolumeSource`, 'A git repository cloned into an empty directory. Deprecated: clone with an init container instead.'),
  nfs: ref(`${CORE}NFSVolumeSource`, 'An NFS export mounted on the node.'),
  iscsi: ref(`${CORE}ISCSIVolumeSource`, 'An iSCSI disk attached to the node.'),
  glusterfs: ref(`${CORE}GlusterfsVolumeSource`, 'A Glusterfs mount. Removed from recent Kubernetes.'),
  rbd: ref(`${CORE}RBDVolumeSource`, 'A Ceph RBD image. Deprecated.'),
  flexVolume: ref(`${CORE}FlexVolumeSource`, 'A volume handled by an exec-based FlexVolume plugin. Deprecated.'),
  cinder: ref(`${CORE}CinderVolumeSource`, 'An OpenStack Cinder volume. Deprecated.'),
  cephfs: ref(`${CORE}CephFSVolumeSource`, 'A CephFS mount. Deprecated.'),
  flocker: ref(`${CORE}FlockerVolumeSource`, 'A Flocker dataset. Deprecated.'),
  fc: ref(`${CORE}FCVolumeSource`, 'A Fibre Channel disk attached to the node.'),
  azureFile: ref(`${CORE}AzureFileVolumeSource`, 'An Azure File share. Deprecated.'),
  vsphereVolume: ref(`${CORE}VsphereVirtualDiskVolumeSource`, 'A vSphere disk. Deprecated.'),
  quobyte: ref(`${CORE}QuobyteVolumeSource`, 'A Quobyte mount. Deprecated.'),
  azureDisk: ref(`${CORE}AzureDiskVolumeSource`, 'An Azure data disk. Deprecated.'),
  photonPersistentDisk: ref(`${CORE}PhotonPersistentDiskVolumeSource`, 'A PhotonController disk. Deprecated.'),
  portworxVolume: ref(`${CORE}PortworxVolumeSource`, 'A Portworx volume. Deprecated.'),
  scaleIO: ref(`${CORE}ScaleIOVolumeSource`, 'A ScaleIO volume. Deprecated.'),
  storageos: ref(`${CORE}StorageOSVolumeSource`, 'A StorageOS volume. Deprecated.'),
};

const defs: ObjectDef[] = [
  obj(`${CORE}GCEPersistentDiskVolumeSource`, 'A GCE persistent disk.', {
    pdName: string('Name of the disk in GCE.'),
    fsType: string(FS_TYPE),
    partition: int('Partition to mount; the whole disk when 0.'),
    readOnly: bool(READ_ONLY),
  }, { required: ['pdName'] }),
  obj(`${CORE}AWSElasticBlockStoreVolumeSource`, 'An AWS EBS disk.', {
    volumeID: string('Identifier of the EBS volume.'),
    fsType: string(FS_TYPE),
    partition: int('Partition to mount; the whole disk when 0.'),
    readOnly: bool(READ_ONLY),
  }, { required: ['volumeID'] }),
  obj(`${CORE}GitRepoVolumeSource`, 'A git repository checked out into the volume.', {
    repository: string('URL of the repository.'),
    revision: string('Commit hash to check out.'),
    directory: string("Target directory name; '.' puts the repository at the volume root."),
  }, { required: ['repository'] }),
  obj(`${CORE}NFSVolumeSource`, 'An NFS export.', {
    server: string('Host name or address of the NFS server.'),
    path: string('Path exported by the server.'),
    readOnly: bool(READ_ONLY),
  }, { required: ['server', 'path'] }),
  obj(`${CORE}ISCSIVolumeSource`, 'An iSCSI disk.', {
    targetPortal: string('Target portal, an address with an optional port (3260 by default).'),
    iqn: string('Target iSCSI qualified name.'),
    lun: int('Target logical unit number.'),
    iscsiInterface: string('iSCSI interface name; "default" (tcp) by default.'),
    fsType: string(FS_TYPE),
    readOnly: bool(READ_ONLY),
    portals: atomicList(string(), 'Further target portals.'),
    chapAuthDiscovery: bool('Use CHAP authentication for discovery.'),
    chapAuthSession: bool('Use CHAP authentication for the session.'),
    secretRef: ref(LOCAL_REF, 'The Secret with CHAP credentials.'),
    initiatorName: string('Custom initiator name; replaces the interface-derived one.'),
  }, { required: ['targetPortal', 'iqn', 'lun'] }),
  obj(`${CORE}GlusterfsVolumeSource`, 'A Glusterfs mount.', {
    endpoints: string('Name of the Endpoints object listing the Glusterfs servers.'),
    path: string('Glusterfs volume path.'),
    readOnly: bool(READ_ONLY),
  }, { required: ['endpoints', 'path'] }),
  obj(`${CORE}RBDVolumeSource`, 'A Ceph RBD image.', {
    monitors: atomicList(string(), 'Ceph monitor addresses.'),
    image: string('Name of the RBD image.'),
    fsType: string(FS_TYPE),
    pool: string('RADOS pool; "rbd" by default.'),
    user: string('RADOS user; "admin" by default.'),
    keyring: string('Path of the keyring; /etc/ceph/keyring by default.'),
    secretRef: ref(LOCAL_REF, 'Secret with the RADOS user key; overrides keyring.'),
    readOnly: bool(READ_ONLY),
  }, { required: ['monitors', 'image'] }),
  obj(`${CORE}FlexVolumeSource`, 'A volume handled by a FlexVolume driver.', {
    driver: string('Name of the driver.'),
    fsType: string('Filesystem type; depends on the driver.'),
    secretRef: ref(LOCAL_REF, 'Secret passed to the driver.'),
    readOnly: bool(READ_ONLY),
    options: map(string(), 'Extra options for the driver.'),
  }, { required: ['driver'] }),
  obj(`${CORE}CinderVolumeSource`, 'An OpenStack Cinder volume.', {
    volumeID: string('Identifier of the Cinder volume.'),
    fsType: string(FS_TYPE),
    readOnly: bool(READ_ONLY),
    secretRef: ref(LOCAL_REF, 'Secret with OpenStack connection parameters.'),
  }, { required: ['volumeID'] }),
  obj(`${CORE}CephFSVolumeSource`, 'A CephFS mount.', {
    monitors: atomicList(string(), 'Ceph monitor addresses.'),
    path: string('Path inside CephFS to mount; / by default.'),
    user: string('RADOS user; "admin" by default.'),
    secretFile: string('Path of the key file; /etc/ceph/user.secret by default.'),
    secretRef: ref(LOCAL_REF, 'Secret with the user key; overrides secretFile.'),
    readOnly: bool(READ_ONLY),
  }, { required: ['monitors'] }),
  obj(`${CORE}FlockerVolumeSource`, 'A Flocker dataset; exactly one of the fields is set.', {
    datasetName: string('Dataset name (stored as metadata).'),
    datasetUUID: string('Dataset UUID.'),
  }),
  obj(`${CORE}FCVolumeSource`, 'A Fibre Channel disk.', {
    targetWWNs: atomicList(string(), 'Target world wide names.'),
    lun: int('Target logical unit number.'),
    fsType: string(FS_TYPE),
    readOnly: bool(READ_ONLY),
    wwids: atomicList(string(), 'Volume world wide identifiers; exclusive with targetWWNs and lun.'),
  }),
  obj(`${CORE}AzureFileVolumeSource`, 'An Azure File share.', {
    secretName: string('Secret with the storage account name and key.'),
    shareName: string('Name of the share.'),
    readOnly: bool(READ_ONLY),
  }, { required: ['secretName', 'shareName'] }),
  obj(`${CORE}VsphereVirtualDiskVolumeSource`, 'A vSphere virtual disk.', {
    volumePath: string('Path identifying the disk.'),
    fsType: string(FS_TYPE),
    storagePolicyName: string('Storage policy based management profile name.'),
    storagePolicyID: string('Storage policy based management profile id.'),
  }, { required: ['volumePath'] }),
  obj(`${CORE}QuobyteVolumeSource`, 'A Quobyte mount.', {
    registry: string('Quobyte registry address(es), host:port, comma separated.'),
    volume: string('Name of an existing Quobyte volume.'),
    readOnly: bool(READ_ONLY),
    user: string('User to map volume access to; the service account user by default.'),
    group: string('Group to map volume access to.'),
    tenant: string('Tenant owning the volume in the backend.'),
  }, { required: ['registry', 'volume'] }),
  obj(`${CORE}AzureDiskVolumeSource`, 'An Azure data disk.', {
    diskName: string('Name of the data disk.'),
    diskURI: string('URI of the data disk.'),
    cachingMode: string('Host caching mode.', { enum: ['None', 'ReadOnly', 'ReadWrite'] }),
    fsType: string(FS_TYPE),
    readOnly: bool(READ_ONLY),
    kind: string('Shared, Dedicated or Managed (the default).', { enum: ['Dedicated', 'Managed', 'Shared'] }),
  }, { required: ['diskName', 'diskURI'] }),
  obj(`${CORE}PhotonPersistentDiskVolumeSource`, 'A PhotonController persistent disk.', {
    pdID: string('Identifier of the disk.'),
    fsType: string(FS_TYPE),
  }, { required: ['pdID'] }),
  obj(`${CORE}PortworxVolumeSource`, 'A Portworx volume.', {
    volumeID: string('Identifier of the volume.'),
    fsType: string(FS_TYPE),
    readOnly: bool(READ_ONLY),
  }, { required: ['volumeID'] }),
  obj(`${CORE}ScaleIOVolumeSource`, 'A ScaleIO volume.', {
    gateway: string('Address of the ScaleIO API gateway.'),
    system: string('Name of the storage system.'),
    secretRef: ref(LOCAL_REF, SECRET_REF),
    sslEnabled: bool('Use SSL to talk to the gateway.'),
    protectionDomain: string('Protection domain of the storage.'),
    storagePool: string('Storage pool of the protection domain.'),
    storageMode: string('ThickProvisioned or ThinProvisioned (the default).'),
    volumeName: string('Name of an existing volume.'),
    fsType: string(FS_TYPE),
    readOnly: bool(READ_ONLY),
  }, { required: ['gateway', 'system', 'secretRef'] }),
  obj(`${CORE}StorageOSVolumeSource`, 'A StorageOS volume.', {
    volumeName: string('Name of the volume within its namespace.'),
    volumeNamespace: string("StorageOS namespace of the volume; the pod namespace by default."),
    fsType: string(FS_TYPE),
    readOnly: bool(READ_ONLY),
    secretRef: ref(LOCAL_REF, SECRET_REF),
  }),
];

export const legacyVolumeDefinitions: readonly ObjectDef[] = defs;
