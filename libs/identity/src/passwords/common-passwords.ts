/** Passwords seen most often in breach corpora; refused whatever their length. Compared lowercased. */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  '12345678', '123456789', '1234567890', '12345678910', '87654321', '11111111', '00000000', '88888888',
  '99999999', '66666666', '12341234', '11223344', '1q2w3e4r', '1q2w3e4r5t', '1qaz2wsx', 'qwertyui',
  'qwertyuiop', 'qwerty123', 'qwerty12', 'asdfghjk', 'asdfghjkl', 'zxcvbnm1', 'password', 'password1',
  'password12', 'password123', 'password1234', 'passw0rd', 'p@ssw0rd', 'p@ssword', 'pa$$word', 'iloveyou',
  'iloveyou1', 'sunshine', 'princess', 'football', 'baseball', 'basketball', 'superman', 'starwars',
  'whatever', 'trustno1', 'letmein1', 'welcome1', 'welcome123', 'monkey123', 'dragon123', 'master123',
  'abc12345', 'abcd1234', 'abcdefgh', 'changeme', 'computer', 'internet', 'michelle', 'jennifer',
  'jordan23', 'liverpool', 'chelsea1', 'arsenal1', 'charlie1', 'mustang1', 'shadow12', 'michael1',
  'samsung1', 'pokemon1', 'naruto123', 'secret123', 'admin123', 'administrator', 'root1234', 'test1234',
  'testtest', 'qazwsxedc', 'zaq12wsx', 'q1w2e3r4', 'q1w2e3r4t5', 'a1b2c3d4', 'aa123456', 'aaaaaaaa',
  'football1', 'baseball1', 'letmein123', 'welcome12', 'hello123', 'loveme12', 'freedom1', 'whatever1',
  'qwerty1234', 'password!', 'password1!', 'summer2024', 'winter2024', 'spring2024', 'autumn2024',
  'summer2025', 'winter2025', 'summer2026', 'winter2026', 'company123', 'google123', 'linkedin',
  'facebook', 'youtube1', 'minecraft', 'fortnite', 'batman123', 'spiderman', 'pass1234', 'mypassword',
  'securepassword', 'secure123', 'default1', 'guest123', 'unknown1', 'nothing1', 'blahblah',
]);
