import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { BlockView, HouseholdList, PersonView } from '../../../../../server/src/contracts/http.js';
import { api, ApiError } from '../../../api.js';
import { ChannelList } from '../../../ui/channels.js';
import { ErrorAlert, Loading, Notice } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { SelectField, TextField } from '../../../ui/fields.js';
import { useAsync, useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link, navigate } from '../../../lib/router.js';
import { useSocketEvent } from '../../../lib/socket.js';
import { HouseholdFields, type HouseholdFormState } from './household.js';

const PAGE_SIZE = 50;
export const PASSCODE_SELECTION_KEY = 'tonari.passcodeSelection';

export function RosterPage({ focus }: { focus?: 'export' }) {
  useTitle(t('roster.title'));
  const blocks = useAsync(() => api.blocks(), []);
  useSocketEvent('roster:changed', () => blocks.reload());
  const exportRef = useRef<HTMLElement>(null);
  useEffect(() => {
    if (focus === 'export') exportRef.current?.scrollIntoView();
  }, [focus]);

  return (
    <div class="stack">
      <PageHeading>{t('roster.title')}</PageHeading>
      <p class="actions no-print">
        <Link href="/roster/import" class="button secondary">
          {t('nav.import')}
        </Link>
        <Link href="/passcodes" class="button secondary">
          {t('nav.passcodes')}
        </Link>
      </p>
      <BlocksSection blocks={blocks.data?.items} error={blocks.error} loading={blocks.loading} reload={blocks.reload} />
      <HouseholdsSection blocks={blocks.data?.items ?? []} />
      <ExportSection sectionRef={exportRef} />
    </div>
  );
}

export function ExportSection({ sectionRef }: { sectionRef?: { current: HTMLElement | null } }) {
  const [busy, setBusy] = useState(false);
  const [refused, setRefused] = useState<unknown>(null);

  // Shift_JIS cannot hold every name (𠮷, 〜…): the server refuses rather than write "?", and
  // says which cells; the officer then takes the UTF-8 file, which Excel opens as well.
  async function downloadShiftJis() {
    setBusy(true);
    setRefused(null);
    try {
      const blob = await api.exportRoster('shift_jis');
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = 'tonari-roster-sjis.csv';
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      setRefused(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="section" aria-labelledby="export-heading" ref={sectionRef} id="export">
      <h2 id="export-heading">{t('export.title')}</h2>
      <p>{t('export.intro')}</p>
      <p class="actions">
        <a class="button secondary" href={api.exportUrl('utf-8')} download="tonari-roster.csv">
          {t('export.utf8')}
        </a>
        <button type="button" class="secondary" disabled={busy} onClick={() => void downloadShiftJis()} data-testid="export-sjis">
          {t('export.sjis')}
        </button>
      </p>
      <p class="hint">{t('export.sjisHint')}</p>
      {refused ? (
        <div data-testid="export-sjis-refused">
          <ErrorAlert
            error={refused}
            message={refused instanceof ApiError && refused.code === 'not_encodable' ? t('export.sjisRefused') : undefined}
          />
          <p>
            <a class="button primary" href={api.exportUrl('utf-8')} download="tonari-roster.csv">
              {t('export.utf8Instead')}
            </a>
          </p>
        </div>
      ) : null}
    </section>
  );
}

function BlocksSection({
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
        <div class="table-wrap">
          <table class="stacked">
            <thead>
              <tr>
                <th scope="col">{t('blocks.name')}</th>
                <th scope="col">{t('blocks.households')}</th>
                <th scope="col">{t('blocks.captains')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {blocks.map((block) => (
                <tr key={block.id} data-testid="block-row">
                  <td data-label={t('blocks.name')}>{block.name}</td>
                  <td data-label={t('blocks.households')}>{t('blocks.householdCount', { count: block.householdCount })}</td>
                  <td data-label={t('blocks.captains')}>
                    {block.captains.length ? block.captains.map((c) => c.name).join('、') : <span class="muted">{t('blocks.noCaptain')}</span>}
                  </td>
                  <td data-label={t('common.actions')}>
                    <button
                      type="button"
                      class="secondary small"
                      aria-label={t('blocks.editNamed', { name: block.name })}
                      onClick={() => setEditing(block.id)}
                    >
                      {t('blocks.edit')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
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
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setError(null);
    setDone(null);
    if (!name.trim()) return setError(t('blocks.errors.name'));
    const order = sortOrder.trim() ? Number(sortOrder) : undefined;
    if (order !== undefined && !Number.isInteger(order)) return setError(t('blocks.errors.sortOrder'));
    setBusy(true);
    try {
      const block = await api.createBlock({ name: name.trim(), sortOrder: order });
      setDone(t('blocks.added', { name: block.name }));
      setName('');
      setSortOrder('');
      onAdded();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
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
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
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
    setBusy(true);
    try {
      await api.updateBlock(block.id, { name: name.trim(), sortOrder: order });
      setDone(t('blocks.saved'));
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function saveCaptains(event: Event) {
    event.preventDefault();
    setError(null);
    setDone(null);
    if (selected.length > 10) return setError(t('blocks.errors.tooManyCaptains'));
    setBusy(true);
    try {
      await api.setCaptains(block.id, { personIds: selected, startsOn: startsOn || undefined });
      setDone(t('blocks.captainsSaved'));
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
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
          {people.error ? <ErrorAlert error={people.error} /> : null}
          {people.loading && !people.data && <Loading />}
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
        {error ? typeof error === 'string' ? <ErrorAlert message={error} /> : <ErrorAlert error={error} /> : null}
        {done && <Notice>{done}</Notice>}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            {t('blocks.saveCaptains')}
          </button>
          <button type="button" class="secondary" onClick={onClose}>
            {t('common.close')}
          </button>
        </div>
      </form>
    </div>
  );
}

function HouseholdsSection({ blocks }: { blocks: BlockView[] }) {
  const [blockId, setBlockId] = useState('');
  const [qInput, setQInput] = useState('');
  const [q, setQ] = useState('');
  const [offset, setOffset] = useState(0);
  const [preparing, setPreparing] = useState(false);
  const [prepareError, setPrepareError] = useState<unknown>(null);
  const list = useAsync(
    (signal) => api.households({ blockId: blockId || undefined, q: q || undefined, limit: PAGE_SIZE, offset }, signal),
    [blockId, q, offset],
  );
  useSocketEvent('roster:changed', () => list.reload());

  const data: HouseholdList | undefined = list.data;
  const total = data?.total ?? 0;
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + PAGE_SIZE, total);

  async function printSelection() {
    setPrepareError(null);
    if (blockId && !q) {
      navigate(`/passcodes?blockId=${encodeURIComponent(blockId)}`);
      return;
    }
    setPreparing(true);
    try {
      const ids: string[] = [];
      for (let start = 0; ; start += 500) {
        const page = await api.households({ blockId: blockId || undefined, q: q || undefined, limit: 500, offset: start });
        ids.push(...page.items.map((item) => item.id));
        if (page.items.length < 500 || ids.length >= page.total) break;
      }
      sessionStorage.setItem(PASSCODE_SELECTION_KEY, JSON.stringify(ids.slice(0, 2000)));
      navigate('/passcodes?selection=1');
    } catch (err) {
      setPrepareError(err);
    } finally {
      setPreparing(false);
    }
  }

  return (
    <section class="section" aria-labelledby="households-heading">
      <h2 id="households-heading">{t('households.title')}</h2>
      <form
        class="filters"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setOffset(0);
          setQ(qInput.trim());
        }}
      >
        <SelectField
          id="households-block"
          label={t('households.filterBlock')}
          value={blockId}
          onValue={(value) => {
            setBlockId(value);
            setOffset(0);
          }}
          options={[{ value: '', label: t('households.allBlocks') }, ...blocks.map((b) => ({ value: b.id, label: b.name }))]}
        />
        <TextField id="households-q" label={t('households.search')} type="search" value={qInput} onValue={setQInput} hint={t('households.searchHint')} />
        <button type="submit" class="primary">
          {t('households.searchButton')}
        </button>
      </form>

      {list.error ? <ErrorAlert error={list.error} /> : null}
      {list.loading && !data && <Loading />}
      {data && (
        <>
          <p role="status" class="result-count">
            {t('households.count', { from, to, total })}
          </p>
          {data.items.length > 0 && (
            <div class="table-wrap">
              <table class="stacked clickable">
                <thead>
                  <tr>
                    <th scope="col">{t('household.number')}</th>
                    <th scope="col">{t('household.name')}</th>
                    <th scope="col">{t('household.address')}</th>
                    <th scope="col">{t('household.block')}</th>
                    <th scope="col">{t('household.channels')}</th>
                    <th scope="col">{t('households.members')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((household) => (
                    <tr
                      key={household.id}
                      data-testid="household-row"
                      onClick={(event) => {
                        // Clicks on the name link navigate by themselves.
                        if (event.target instanceof Element && event.target.closest('a')) return;
                        navigate(`/households/${household.id}`);
                      }}
                    >
                      <td data-label={t('household.number')}>{household.householdNumber}</td>
                      <td data-label={t('household.name')}>
                        <Link href={`/households/${household.id}`}>
                          {household.name}
                        </Link>
                      </td>
                      <td data-label={t('household.address')}>{household.address}</td>
                      <td data-label={t('household.block')}>{household.blockName}</td>
                      <td data-label={t('household.channels')}>
                        <ChannelList channels={household.channels} />
                      </td>
                      <td data-label={t('households.members')}>{household.memberCount}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <nav class="pager" aria-label={t('households.paging')}>
            <button type="button" class="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
              {t('households.previous')}
            </button>
            <button type="button" class="secondary" disabled={offset + PAGE_SIZE >= total} onClick={() => setOffset(offset + PAGE_SIZE)}>
              {t('households.next')}
            </button>
          </nav>
          {total > 0 && (
            <p>
              <button type="button" class="secondary" disabled={preparing} onClick={() => void printSelection()}>
                {t('households.printPasscodes', { count: total })}
              </button>
            </p>
          )}
          {prepareError ? <ErrorAlert error={prepareError} /> : null}
        </>
      )}
      <AddHouseholdForm blocks={blocks} defaultBlockId={blockId} onAdded={() => list.reload()} />
    </section>
  );
}

function AddHouseholdForm({ blocks, defaultBlockId, onAdded }: { blocks: BlockView[]; defaultBlockId: string; onAdded: () => void }) {
  const empty = (): HouseholdFormState => ({
    householdNumber: '',
    name: '',
    address: '',
    blockId: defaultBlockId,
    channels: ['app'],
    responderNotes: '',
  });
  const [form, setForm] = useState<HouseholdFormState>(empty);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<{ id: string; name: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setError(null);
    setCreated(null);
    if (!form.blockId) return setError(t('household.errors.block'));
    if (form.channels.length === 0) return setError(t('household.errors.channels'));
    setBusy(true);
    try {
      const household = await api.createHousehold({
        householdNumber: form.householdNumber.trim(),
        name: form.name.trim(),
        address: form.address.trim(),
        blockId: form.blockId,
        channels: form.channels,
        responderNotes: form.responderNotes,
      });
      setCreated({ id: household.id, name: household.name });
      setForm(empty());
      onAdded();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <details class="card">
      <summary>{t('households.addTitle')}</summary>
      <form class="form" data-testid="household-create-form" onSubmit={submit} noValidate>
        <HouseholdFields idPrefix="hh-new" form={form} setForm={setForm} blocks={blocks} />
        {error ? typeof error === 'string' ? <ErrorAlert message={error} /> : <ErrorAlert error={error} /> : null}
        {created && (
          <Notice>
            {t('households.added')} <Link href={`/households/${created.id}`}>{created.name}</Link>
          </Notice>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {t('households.create')}
        </button>
      </form>
    </details>
  );
}
