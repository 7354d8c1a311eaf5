import { useMemo, useState } from 'preact/hooks';
import type { BlockView, PersonView } from '../../../../../server/src/contracts/roster.js';
import { api } from '../../../lib/api.js';
import { ErrorAlert, LoadState, Loading, Notice } from '../../../ui/alerts.js';
import { DataTable } from '../../../ui/data-table.js';
import { TextField } from '../../../ui/fields.js';
import { FormActions } from '../../../ui/form-actions.js';
import { useAsync } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { useSubmit } from '../../../lib/use-submit.js';

export function BlocksSection({
  blocks,
  error,
  loading,
  reload,
}: {
  blocks: BlockView[] | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}) {
  const [editing, setEditing] = useState<string | null>(null);
  const editingBlock = blocks?.find((block) => block.id === editing) ?? null;

  return (
    <section class="section" aria-labelledby="blocks-heading">
      <h2 id="blocks-heading">{t('blocks.title')}</h2>
      {error ? <ErrorAlert error={error} /> : null}
      {loading && !blocks && <Loading />}
      {blocks && blocks.length === 0 && <p>{t('blocks.empty')}</p>}
      {blocks && blocks.length > 0 && (
        <DataTable
          rows={blocks}
          rowKey={(block) => block.id}
          rowProps={() => ({ 'data-testid': 'block-row' })}
          columns={[
            { label: t('blocks.name'), cell: (block) => block.name },
            { label: t('blocks.households'), cell: (block) => t('blocks.householdCount', { count: block.householdCount }) },
            {
              label: t('blocks.captains'),
              cell: (block) => (block.captains.length ? block.captains.map((c) => c.name).join('、') : <span class="muted">{t('blocks.noCaptain')}</span>),
            },
            {
              label: t('common.actions'),
              cell: (block) => (
                <button type="button" class="secondary small" aria-label={t('blocks.editNamed', { name: block.name })} onClick={() => setEditing(block.id)}>
                  {t('blocks.edit')}
                </button>
              ),
            },
          ]}
        />
      )}
      {editingBlock ? (
        <BlockEditor
          key={editingBlock.id}
          block={editingBlock}
          onClose={() => setEditing(null)}
          onSaved={reload}
        />
      ) : (
        <AddBlockForm onAdded={reload} />
      )}
    </section>
  );
}

function AddBlockForm({ onAdded }: { onAdded: () => void }) {
  const [name, setName] = useState('');
  const [sortOrder, setSortOrder] = useState('');
  const { submit: run, busy, error, setError } = useSubmit();
  const [done, setDone] = useState<string | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    setError(null);
    setDone(null);
    if (!name.trim()) return setError(t('blocks.errors.name'));
    const order = sortOrder.trim() ? Number(sortOrder) : undefined;
    if (order !== undefined && !Number.isInteger(order)) return setError(t('blocks.errors.sortOrder'));
    await run(async () => {
      const block = await api.createBlock({ name: name.trim(), sortOrder: order });
      setDone(t('blocks.added', { name: block.name }));
      setName('');
      setSortOrder('');
      onAdded();
    });
  }

  return (
    <form class="card form inline-form" data-testid="block-form" onSubmit={submit} noValidate>
      <h3>{t('blocks.addTitle')}</h3>
      <div class="row">
        <TextField id="block-name" label={t('blocks.nameLabel')} value={name} onValue={setName} required />
        <TextField id="block-order" label={t('blocks.sortOrder')} value={sortOrder} onValue={setSortOrder} inputMode="numeric" />
      </div>
      {error ? typeof error === 'string' ? <ErrorAlert message={error} /> : <ErrorAlert error={error} /> : null}
      {done && <Notice>{done}</Notice>}
      <button type="submit" class="primary" disabled={busy}>
        {t('blocks.add')}
      </button>
    </form>
  );
}

function BlockEditor({ block, onClose, onSaved }: { block: BlockView; onClose: () => void; onSaved: () => void }) {
  const [name, setName] = useState(block.name);
  const [sortOrder, setSortOrder] = useState(String(block.sortOrder));
  const [selected, setSelected] = useState<string[]>(block.captains.map((c) => c.personId));
  const [filter, setFilter] = useState('');
  const [startsOn, setStartsOn] = useState('');
  const { submit: run, busy, error, setError } = useSubmit();
  const [done, setDone] = useState<string | null>(null);
  const people = useAsync(() => api.people(), []);

  const visible = useMemo(() => {
    const items = people.data?.items ?? [];
    const q = filter.trim().toLowerCase();
    const matches = (p: PersonView) =>
      !q || p.name.toLowerCase().includes(q) || p.kana.toLowerCase().includes(q) || (p.phone ?? '').includes(q);
    // Selected people stay visible so they can be unticked.
    return items.filter((p) => selected.includes(p.id) || matches(p)).slice(0, 200);
  }, [people.data, filter, selected]);

  async function saveBlock(event: Event) {
    event.preventDefault();
    setError(null);
    setDone(null);
    const order = Number(sortOrder);
    if (!name.trim()) return setError(t('blocks.errors.name'));
    if (!Number.isInteger(order)) return setError(t('blocks.errors.sortOrder'));
    await run(async () => {
      await api.updateBlock(block.id, { name: name.trim(), sortOrder: order });
      setDone(t('blocks.saved'));
      onSaved();
    });
  }

  async function saveCaptains(event: Event) {
    event.preventDefault();
    setError(null);
    setDone(null);
    if (selected.length > 10) return setError(t('blocks.errors.tooManyCaptains'));
    await run(async () => {
      await api.setCaptains(block.id, { personIds: selected, startsOn: startsOn || undefined });
      setDone(t('blocks.captainsSaved'));
      onSaved();
    });
  }

  return (
    <div class="card stack" data-testid="block-editor">
      <h3>{t('blocks.editTitle', { name: block.name })}</h3>
      <form class="form inline-form" onSubmit={saveBlock} noValidate>
        <div class="row">
          <TextField id="block-edit-name" label={t('blocks.nameLabel')} value={name} onValue={setName} required />
          <TextField id="block-edit-order" label={t('blocks.sortOrder')} value={sortOrder} onValue={setSortOrder} inputMode="numeric" />
        </div>
        <button type="submit" class="secondary" disabled={busy}>
          {t('blocks.save')}
        </button>
      </form>
      <form class="form" onSubmit={saveCaptains} noValidate>
        <fieldset class="field checkbox-group">
          <legend>{t('blocks.chooseCaptains')}</legend>
          <TextField id="captain-filter" label={t('blocks.filterPeople')} value={filter} onValue={setFilter} type="search" />
          <LoadState state={people} />
          <div class="scroll-list">
            {visible.map((person) => (
              <div class="check" key={person.id}>
                <input
                  type="checkbox"
                  id={`captain-${person.id}`}
                  checked={selected.includes(person.id)}
                  onChange={(event) => {
                    const checked = event.currentTarget.checked;
                    setSelected((prev) => (checked ? [...prev, person.id] : prev.filter((id) => id !== person.id)));
                  }}
                />
                <label for={`captain-${person.id}`}>
                  {person.name}
                  {person.kana && <span class="muted"> （{person.kana}）</span>}
                </label>
              </div>
            ))}
          </div>
        </fieldset>
        <TextField id="captain-starts" label={t('blocks.startsOn')} hint={t('blocks.startsOnHint')} type="date" value={startsOn} onValue={setStartsOn} />
        <ErrorAlert error={error} />
        {done && <Notice>{done}</Notice>}
        <FormActions busy={busy} submitLabel={t('blocks.saveCaptains')} cancelLabel={t('common.close')} onCancel={onClose} />
      </form>
    </div>
  );
}
