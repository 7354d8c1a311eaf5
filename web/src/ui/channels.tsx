import { type Channel } from '../lib/api.js';
import { t } from '../lib/i18n.js';

export const CHANNELS: Channel[] = ['app', 'speaker', 'paper'];

export function ChannelList({ channels }: { channels: Channel[] }) {
  if (channels.length === 0) return <span class="muted">{t('common.none')}</span>;
  return (
    <span class="badges">
      {channels.map((channel) => (
        <span key={channel} class={`badge badge-${channel}`}>
          {t(`channels.${channel}`)}
        </span>
      ))}
    </span>
  );
}

export function ChannelCheckboxes({
  idPrefix,
  value,
  onValue,
}: {
  idPrefix: string;
  value: Channel[];
  onValue: (value: Channel[]) => void;
}) {
  return (
    <fieldset class="field checkbox-group">
      <legend>{t('household.channels')}</legend>
      {CHANNELS.map((channel) => (
        <div class="check" key={channel}>
          <input
            type="checkbox"
            id={`${idPrefix}-${channel}`}
            checked={value.includes(channel)}
            onChange={(event) => {
              const checked = event.currentTarget.checked;
              onValue(checked ? CHANNELS.filter((c) => c === channel || value.includes(c)) : value.filter((c) => c !== channel));
            }}
          />
          <label for={`${idPrefix}-${channel}`}>{t(`channels.${channel}`)}</label>
        </div>
      ))}
    </fieldset>
  );
}
