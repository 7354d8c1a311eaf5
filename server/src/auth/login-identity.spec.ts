import { describe, expect, it } from 'vitest';
import { loginIdentity } from './auth.service.js';
import { originAllowed } from '../platform/realtime/realtime.js';

describe('loginIdentity', () => {
  it('reads every spelling of one phone number as one identity', () => {
    const spellings = ['090-1234-5678', '09012345678', '０９０１２３４５６７８', '+81 90 1234 5678', '+819012345678', ' 090 1234 5678 ', '090－1234－5678', '090ー1234ー5678'];
    expect(new Set(spellings.map((s) => JSON.stringify(loginIdentity(s))))).toEqual(new Set([JSON.stringify({ kind: 'phone', value: '09012345678' })]));
  });

  it('reads an email case-blind and without surrounding spaces', () => {
    expect(loginIdentity(' Officer@Example.JP ')).toEqual({ kind: 'email', value: 'officer@example.jp' });
  });

  it('keeps what is neither as typed (it matches no account, and is still limited)', () => {
    expect(loginIdentity('12')).toEqual({ kind: 'other', value: '12' });
  });
});

describe('originAllowed', () => {
  const publicUrl = 'https://tonari.example.jp';
  it('takes the public origin, the origin the request was sent to, and clients that send none', () => {
    expect(originAllowed('https://tonari.example.jp', '127.0.0.1:3000', publicUrl)).toBe(true);
    expect(originAllowed('http://127.0.0.1:5173', '127.0.0.1:5173', publicUrl)).toBe(true);
    expect(originAllowed(undefined, 'tonari.example.jp', publicUrl)).toBe(true);
  });
  it('refuses other sites, other schemes and opaque origins', () => {
    expect(originAllowed('https://evil.example', 'tonari.example.jp', publicUrl)).toBe(false);
    expect(originAllowed('http://tonari.example.jp', '127.0.0.1:3000', publicUrl)).toBe(false);
    expect(originAllowed('null', 'tonari.example.jp', publicUrl)).toBe(false);
    expect(originAllowed('chrome-extension://tonari.example.jp', 'tonari.example.jp', publicUrl)).toBe(false);
  });
});
