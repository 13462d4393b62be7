// Dates and times are rendered as UTC ISO in <time datetime> elements; show them in the reader's locale.
document.querySelectorAll('time[data-local]').forEach(function (el) {
    var value = new Date(el.getAttribute('datetime'));
    if (isNaN(value)) return;
    el.title = el.getAttribute('datetime');
    el.textContent = el.dataset.local === 'date'
        ? value.toLocaleDateString(undefined, { timeZone: 'UTC' })
        : value.toLocaleString();
});
// "Site License" / "Does not expire" checkboxes disable the number or date beside them.
document.querySelectorAll('[data-disables]').forEach(function (box) {
    var target = document.getElementById(box.dataset.disables);
    var sync = function () { if (target) target.disabled = box.checked; };
    box.addEventListener('change', sync);
    sync();
});
// The pages carry no inline script or event-handler attribute (the Content-Security-Policy allows only this file and
// Bootstrap's): behaviour is declared with data- attributes and wired here.
// A form with data-confirm asks before it is sent.
document.querySelectorAll('form[data-confirm]').forEach(function (form) {
    form.addEventListener('submit', function (e) {
        if (!window.confirm(form.dataset.confirm)) e.preventDefault();
    });
});
// Typing into an input with data-chooses selects the radio button it names and gives it the typed value
// (Convert Lead: "or an existing account by id").
document.querySelectorAll('input[data-chooses]').forEach(function (input) {
    var radio = document.getElementById(input.dataset.chooses);
    if (!radio) return;
    input.addEventListener('input', function () {
        radio.value = input.value;
        radio.checked = input.value.length > 0;
    });
});
