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
