// The page's script: a PleziClient on /room (see /plezi.js).
const client = new PleziClient("/room", true);
client.said = (m) => {
  const li = document.createElement("li");
  li.textContent = m.text;
  document.getElementById("log").appendChild(li);
};
document.getElementById("say").onsubmit = (e) => {
  e.preventDefault();
  const input = document.getElementById("text");
  if (input.value) client.emit("say", { text: input.value });
  input.value = "";
};
