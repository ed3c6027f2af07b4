-- revenue by nation and by order year, and the total, in one pass
select n_name, extract(year from o_orderdate) as yr, sum(o_totalprice) as revenue, grouping(n_name) as gn
from orders join customer on o_custkey = c_custkey join nation on c_nationkey = n_nationkey
group by grouping sets ((n_name), (extract(year from o_orderdate)), ())
order by gn, n_name, yr
