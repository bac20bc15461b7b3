/**
 * The login form: the operator's name and token. The token is tried with
 * `GET /api/admin/events` before it is kept; a refused one shows "Wrong token" and
 * nothing else, whatever the reason the server had.
 */

import { OperatorApi } from './api.js';

const UNAUTHORIZED = 401;
/**
 * A name `X-Operator` can carry: 1–64 printable characters (the server's rule) that a
 * header can hold (ISO-8859-1, which fetch() insists on): "Zoë" is fine, "Łukasz" not.
 */
const NAME = /^[\x20-\x7e\xa1-\xac\xae-\xff]{1,64}$/;

export class LoginForm {
  #els;
  #onLogin;

  /**
   * @param {{root: HTMLElement, form: HTMLFormElement, name: HTMLInputElement,
   *          token: HTMLInputElement, submit: HTMLButtonElement, error: HTMLElement}} els
   * @param {(credentials: {name: string, token: string}) => void} onLogin
   */
  constructor(els, onLogin) {
    this.#els = els;
    this.#onLogin = onLogin;
    els.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.#submit();
    });
  }

  /** Show the form (with `error` under it, if any), the name kept, the token empty. */
  show(error = '', name = '') {
    this.#els.root.hidden = false;
    if (name !== '') this.#els.name.value = name;
    this.#els.token.value = '';
    this.#els.error.textContent = error;
    (this.#els.name.value === '' ? this.#els.name : this.#els.token).focus();
  }

  hide() {
    this.#els.root.hidden = true;
    this.#els.error.textContent = '';
  }

  async #submit() {
    const name = this.#els.name.value.trim();
    const token = this.#els.token.value.trim();
    if (!NAME.test(name)) {
      this.#els.error.textContent =
        'Your name: 1 to 64 Latin letters, digits, spaces or punctuation marks.';
      this.#els.name.focus();
      return;
    }
    if (token === '') return;
    this.#els.submit.disabled = true;
    this.#els.error.textContent = '';
    try {
      await new OperatorApi({ name, token }).events();
      this.#onLogin({ name, token });
    } catch (error) {
      this.#els.error.textContent = error.status === UNAUTHORIZED ? 'Wrong token' : error.message;
      this.#els.token.select();
    } finally {
      this.#els.submit.disabled = false;
    }
  }
}
