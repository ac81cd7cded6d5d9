// Deliberately bad JavaScript for ESLint: its SARIF report is eslint.sarif (see README.md).
function run(input) {
  var unused = 1;
  if (input == null) {
    return eval(input);
  }
  setTimeout("alert('" + input + "')", 10);
  return undefinedName + 1;
}
module.exports = run;
