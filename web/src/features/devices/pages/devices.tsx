import { useState } from 'preact/hooks';
import type { DeviceCredentials, DeviceView } from '../../../../../server/src/contracts/devices.js';
import { api } from '../../../lib/api.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { DataTable } from '../../../ui/data-table.js';
import { Facts } from '../../../ui/facts.js';
import { FormActions } from '../../../ui/form-actions.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { SelectField, TextField } from '../../../ui/fields.js';
import { formatDateTime } from '../../../lib/format.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { useSocketEvent } from '../../../lib/socket.js';
import { useResource } from '../../../lib/use-resource.js';
import { ROSTER_REFRESH } from '../../../lib/use-resource.js';
import { useSubmit } from '../../../lib/use-submit.js';

export function DevicesPage() {
  useTitle(t('devices.title'));
  const devices = useResource(() => api.devices(), ROSTER_REFRESH);
  const [credentials, setCredentials] = useState<DeviceCredentials | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busyId, setBusyId] = useState<string | null>(null);

  useSocketEvent('device:status', (event) => {
    const changed = new Map(event.devices.map((status) => [status.deviceId, status]));
    const known = new Set(devices.data?.items.map((device) => device.id));
    if (event.devices.some((status) => !known.has(status.deviceId))) return devices.reload();
    devices.setData((previous) => {
      if (!previous) return previous;
      const items = previous.items.map((device) => {
        const status = changed.get(device.id);
        return status ? { ...device, online: status.online, lastSeenAt: status.lastSeenAt, battery: status.battery } : device;
      });
      return { items };
    });
  });

  function replace(updated: DeviceView) {
    devices.setData((previous) => {
      if (!previous) return { items: [updated] };
      const exists = previous.items.some((d) => d.id === updated.id);
      return { items: exists ? previous.items.map((d) => (d.id === updated.id ? updated : d)) : [...previous.items, updated] };
    });
  }

  async function rotate(device: DeviceView) {
    if (!window.confirm(t('devices.confirmRotate', { label: device.label }))) return;
    setActionError(null);
    setBusyId(device.id);
    try {
      const result = await api.rotateDevice(device.id);
      replace(result.device);
      setCredentials(result);
    } catch (err) {
      setActionError(err);
    } finally {
      setBusyId(null);
    }
  }

  async function revoke(device: DeviceView) {
    if (!window.confirm(t('devices.confirmRevoke', { label: device.label }))) return;
    setActionError(null);
    setBusyId(device.id);
    try {
      replace(await api.revokeDevice(device.id));
      if (credentials?.device.id === device.id) setCredentials(null);
    } catch (err) {
      setActionError(err);
    } finally {
      setBusyId(null);
    }
  }

  const items = devices.data?.items ?? [];

  return (
    <div class="stack">
      <PageHeading>{t('devices.title')}</PageHeading>
      <p>{t('devices.intro')}</p>

      {credentials && <CredentialsBox credentials={credentials} onClose={() => setCredentials(null)} />}

      <section class="section" aria-labelledby="device-list-heading">
        <h2 id="device-list-heading">{t('devices.listTitle')}</h2>
        {devices.error ? <ErrorAlert error={devices.error} /> : null}
        {actionError ? <ErrorAlert error={actionError} /> : null}
        {devices.loading && !devices.data && <Loading />}
        {devices.data && items.length === 0 && <p>{t('devices.empty')}</p>}
        {items.length > 0 && (
          <DataTable
            rows={items}
            rowKey={(device) => device.id}
            rowProps={(device) => ({
              'data-testid': 'device-row',
              'data-device-id': device.id,
              'data-online': device.online ? 'true' : 'false',
              class: device.revoked ? 'revoked' : undefined,
            })}
            columns={[
              { label: t('devices.label'), cell: (device) => device.label },
              { label: t('devices.household'), cell: (device) => device.householdName ?? <span class="muted">{t('devices.noHousehold')}</span> },
              { label: t('devices.status'), testid: 'device-status', cell: (device) => <DeviceStatus device={device} /> },
              {
                label: t('devices.lastSeen'),
                cell: (device) => (device.lastSeenAt ? formatDateTime(device.lastSeenAt) : <span class="muted">{t('devices.neverSeen')}</span>),
              },
              { label: t('devices.battery'), cell: (device) => (device.battery === null ? '—' : `${Math.round(device.battery)}%`) },
              {
                label: t('common.actions'),
                cell: (device) =>
                  !device.revoked && (
                    <span class="actions">
                      {[
                        { action: rotate, label: t('devices.rotate'), class: 'secondary small' },
                        { action: revoke, label: t('devices.revoke'), class: 'danger small' },
                      ].map((button) => (
                        <button key={button.label} type="button" class={button.class} disabled={busyId === device.id} onClick={() => void button.action(device)}>
                          {button.label}
                        </button>
                      ))}
                    </span>
                  ),
              },
            ]}
          />
        )}
      </section>

      <RegisterDevice
        onCreated={(result) => {
          replace(result.device);
          setCredentials(result);
          window.scrollTo(0, 0);
        }}
      />
    </div>
  );
}

function DeviceStatus({ device }: { device: DeviceView }) {
  if (device.revoked) return <span class="status revoked">{t('devices.revoked')}</span>;
  return (
    <span class={device.online ? 'status online' : 'status offline'}>
      <span aria-hidden="true">{device.online ? '● ' : '○ '}</span>
      {device.online ? t('devices.online') : t('devices.offline')}
    </span>
  );
}

function CredentialsBox({ credentials, onClose }: { credentials: DeviceCredentials; onClose: () => void }) {
  const rows: [string, string][] = [
    [t('devices.credentials.username'), credentials.credentials.username],
    [t('devices.credentials.password'), credentials.credentials.password],
    [t('devices.credentials.mqttUrl'), credentials.credentials.mqttUrl],
    [t('devices.credentials.topicPrefix'), credentials.credentials.topicPrefix],
  ];
  return (
    <section class="credentials" data-testid="device-credentials" aria-labelledby="credentials-heading" tabIndex={-1}>
      <h2 id="credentials-heading">{t('devices.credentials.title', { label: credentials.device.label })}</h2>
      <p class="warning" role="alert">
        {t('devices.credentials.warning')}
      </p>
      <Facts facts={rows.map(([label, value]) => ({ label, value: <code translate={false}>{value}</code> }))} />
      <div class="actions">
        <button
          type="button"
          class="secondary"
          onClick={() => {
            const text = rows.map(([label, value]) => `${label}: ${value}`).join('\n');
            void navigator.clipboard?.writeText(text).catch(() => undefined);
          }}
        >
          {t('devices.credentials.copy')}
        </button>
        <button type="button" class="primary" onClick={onClose}>
          {t('devices.credentials.done')}
        </button>
      </div>
    </section>
  );
}

function RegisterDevice({ onCreated }: { onCreated: (result: DeviceCredentials) => void }) {
  const households = useResource(() => api.households({ limit: 500 }), ROSTER_REFRESH);
  const [label, setLabel] = useState('');
  const [householdId, setHouseholdId] = useState('');
  const { submit: run, busy, error, setError } = useSubmit();

  async function submit(event: Event) {
    event.preventDefault();
    setError(null);
    if (!label.trim()) return setError(t('devices.errors.label'));
    await run(async () => {
      const result = await api.createDevice({ label: label.trim(), householdId: householdId || null });
      setLabel('');
      setHouseholdId('');
      onCreated(result);
    });
  }

  const options = [
    { value: '', label: t('devices.noHousehold') },
    ...(households.data?.items ?? []).map((h) => ({ value: h.id, label: `${h.blockName} ${h.householdNumber} ${h.name}` })),
  ];

  return (
    <section class="section" aria-labelledby="register-heading">
      <h2 id="register-heading">{t('devices.registerTitle')}</h2>
      <form class="card form" data-testid="device-form" onSubmit={submit} noValidate>
        <TextField id="device-label" label={t('devices.labelField')} hint={t('devices.labelHint')} value={label} onValue={setLabel} required />
        <SelectField id="device-household" label={t('devices.household')} value={householdId} onValue={setHouseholdId} options={options} />
        {households.error ? <ErrorAlert error={households.error} /> : null}
        <ErrorAlert error={error} />
        <FormActions busy={busy} submitLabel={t('devices.register')} />
      </form>
    </section>
  );
}
